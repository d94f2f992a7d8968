import ArgumentParser
import CatalogCore
import Foundation
import Logging
import NIOCore
import NIOPosix

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Upload a feed file and run its validation job here; prints the job summary.")

    @Argument(help: "The CSV (or .csv.gz) file.") var file: String
    @Option(help: "The partner's name (created if it does not exist).") var partner: String
    @Option(help: "products or orders.") var type: String = "products"
    @Option(help: "delta or full (products only).") var mode: String = "delta"
    @OptionGroup var store: StoreOptions

    func run() async throws {
        // The job runs here, asked for below: never queued by the upload itself (CATALOG_AUTO_RUN).
        var builder = try store.builder()
        builder.configuration.autoRun = false
        let catalog = try await builder.catalog().catalog
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw CatalogError.validation("Cannot read \(file).", parameter: "FILE", value: file)
        }
        let chunks = AsyncThrowingStream<ByteBuffer, any Error> {
            let data = try handle.read(upToCount: 1 << 20) ?? Data()
            return data.isEmpty ? nil : ByteBuffer(bytes: data)
        }
        let request = UploadRequest(partnerName: partner, feedType: type, mode: mode, fileName: file)
        let feed = try await catalog.uploads.upload(request, by: .operatorCLI, body: chunks).feed
        print("Uploaded \(feed.fileName) as \(feed.feedID) (\(feed.sizeBytes) bytes, sha256 \(feed.sha256)).")
        // Job transitions show at CATALOG_LOG_LEVEL=info or below (warnings and errors otherwise).
        let logger = Logger(label: "partner-catalog-ingest")
        logger.info("job queued", metadata: JobLog.metadata(validationOf: feed))

        _ = try await catalog.runs.requestRun(feed.validationJobID, by: .operatorCLI, logger: logger)
        var workerSettings = TaskWorker.Settings()
        workerSettings.heartbeatInterval = 0.5
        let worker = TaskWorker(
            queue: catalog.store, handlers: [FeedValidationHandler(catalog: catalog, logger: logger)], clock: catalog.clock,
            owner: "ingest:\(ProcessInfo.processInfo.processIdentifier)", settings: workerSettings, wake: catalog.events.queued,
            logger: logger)
        let progress = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(500))
                if let job = try await catalog.store.job(id: feed.validationJobID), isatty(STDOUT_FILENO) != 0 {
                    FileHandle.standardOutput.write(Data("\r\(job.validationJobRowsText)".utf8))
                }
            }
        }
        var job = try await catalog.jobs.get(feed.validationJobID, by: .operatorCLI)
        while job.status != .completed && job.status != .failed {
            if try await !worker.runOnce() { try await Task.sleep(for: .milliseconds(200)) }
            job = try await catalog.jobs.get(feed.validationJobID, by: .operatorCLI)
        }
        progress.cancel()
        if isatty(STDOUT_FILENO) != 0 { print() }
        print("\(job.jobID) \(job.status.rawValue): \(job.message ?? "")")
        if job.status == .failed { throw ExitCode(2) }
    }
}

extension Job {
    var validationJobRowsText: String { "\(jobID) \(status.rawValue): \(rowsRead) rows read" }
}
