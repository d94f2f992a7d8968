import CatalogApp
import CatalogCore
import Testing

/// §Configuration: one value read in one place, the same boolean words for every switch, one clear
/// error naming the variable for every bad value.
@Suite struct CatalogConfigurationTests {
    func failure(_ values: [String: String], fromFlags: Set<String> = []) -> CatalogError? {
        do {
            _ = try CatalogConfiguration.read(values, fromFlags: fromFlags)
            return nil
        } catch let error as CatalogError {
            return error
        } catch {
            Issue.record("not a CatalogError: \(error)")
            return nil
        }
    }

    @Test func nothingSetIsTheDocumentedDefaults() throws {
        let configuration = try CatalogConfiguration.read([:])
        #expect(configuration.dataDirectory == "./data" && configuration.databaseURL == nil && configuration.objectStore == nil)
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8080 && configuration.adminKey == nil)
        #expect(configuration.workers == 1 && !configuration.autoRun && !configuration.allowPrivateTargets)
        #expect(configuration.maxUploadBytes == 1 << 30 && configuration.logLevel == nil && configuration.s3.region == "us-east-1")
        #expect(configuration.limits.maxConnections == 1024 && configuration.limits.idleTimeout == .seconds(60))
        #expect(configuration.limits.authFailuresPerMinute == 30 && configuration.limits.uploadsPerPartner == 4)
        // An empty variable is an unset one.
        #expect(try CatalogConfiguration.read(["CATALOG_PORT": "", "CATALOG_DATA_DIR": ""]).port == 8080)
    }

    @Test(arguments: ["CATALOG_AUTO_RUN", "CATALOG_ALLOW_PRIVATE_TARGETS"])
    func everySwitchTakesTheSameWords(_ name: String) throws {
        func value(_ word: String) throws -> Bool {
            let configuration = try CatalogConfiguration.read([name: word])
            return name == "CATALOG_AUTO_RUN" ? configuration.autoRun : configuration.allowPrivateTargets
        }
        for word in ["true", "1", "yes", "on", "TRUE", "On"] { #expect(try value(word), "\(name)=\(word)") }
        for word in ["false", "0", "no", "off", "False"] { #expect(try !value(word), "\(name)=\(word)") }
        let error = try #require(failure([name: "maybe"]))
        #expect(error.code == .validationError && error.details["parameter"] == .string(name) && error.message.contains(name))
    }

    @Test(arguments: [
        ("CATALOG_PORT", "70000"), ("CATALOG_PORT", "http"), ("CATALOG_WORKERS", "65"), ("CATALOG_WORKERS", "-1"),
        ("CATALOG_MAX_UPLOAD_BYTES", "0"), ("CATALOG_MAX_UPLOAD_BYTES", "1GB"), ("CATALOG_S3_MULTIPART_THRESHOLD", "big"),
        ("CATALOG_IDLE_TIMEOUT", "soon"), ("CATALOG_MAX_CONNECTIONS", "0"), ("CATALOG_AUTH_FAILURES_PER_MINUTE", "-3"),
        ("CATALOG_MAX_UPLOADS_PER_PARTNER", "0"), ("CATALOG_LOG_LEVEL", "loud"),
    ])
    func aBadValueIsOneErrorNamingItsVariable(_ name: String, _ value: String) throws {
        let error = try #require(failure([name: value]), "\(name)=\(value) was accepted")
        #expect(error.code == .validationError)
        #expect(error.details["parameter"] == .string(name) && error.details["value"] == .string(value))
        #expect(error.message.contains(name) || error.message.contains("'\(value)'"), "\(error.message)")
    }

    @Test func valuesAreReadInTheirUnits() throws {
        let configuration = try CatalogConfiguration.read([
            "CATALOG_IDLE_TIMEOUT": "2m", "CATALOG_PORT": "0", "CATALOG_WORKERS": "0", "CATALOG_LOG_LEVEL": "WARNING",
            "CATALOG_MAX_UPLOAD_BYTES": "4096", "CATALOG_DATABASE_URL": "postgres://u@h/db", "CATALOG_S3_MULTIPART_THRESHOLD": "0",
        ])
        #expect(configuration.limits.idleTimeout == .seconds(120) && configuration.port == 0 && configuration.workers == 0)
        #expect(configuration.logLevel == .warning && configuration.maxUploadBytes == 4096 && configuration.s3.multipartThreshold == 0)
        #expect(configuration.databaseURL == "postgres://u@h/db")
        #expect(try CatalogConfiguration.read(["CATALOG_IDLE_TIMEOUT": "0"]).limits.idleTimeout == nil)
        #expect(try CatalogConfiguration.read(["CATALOG_IDLE_TIMEOUT": "500ms"]).limits.idleTimeout == .milliseconds(500))
    }

    @Test func aBadFlagIsNamedWithItsVariable() throws {
        #expect(CatalogConfiguration.flag(of: "CATALOG_MAX_UPLOADS_PER_PARTNER") == "--max-uploads-per-partner")
        #expect(CatalogConfiguration.flag(of: "CATALOG_S3_MULTIPART_THRESHOLD") == "--s3-multipart-threshold")
        let fromFlag = try #require(failure(["CATALOG_PORT": "abc"], fromFlags: ["CATALOG_PORT"]))
        #expect(fromFlag.message == "--port (CATALOG_PORT) must be a whole number from 0 to 65535.", "\(fromFlag.message)")
        #expect(fromFlag.details["parameter"] == .string("CATALOG_PORT"))
        let fromEnvironment = try #require(failure(["CATALOG_PORT": "abc"]))
        #expect(fromEnvironment.message == "CATALOG_PORT must be a whole number from 0 to 65535.")
    }
}
