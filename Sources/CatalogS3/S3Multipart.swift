import CatalogCore
import NIOCore

/// The multipart-upload calls for one key: initiate, upload part, complete, abort, and the SHA-256 tag.
struct S3Multipart: Sendable {
    struct Part: Sendable {
        var number: Int
        var etag: String
    }

    let client: S3Client
    let key: S3Key

    /// Starts an upload whose object will carry `metadata` ("x-amz-meta-…: value" lines).
    func initiate(contentType: String, metadata: [String] = []) async throws -> String {
        let request = client.request(.post, client.url(key: key, query: "uploads="), contentType: contentType, headers: metadata)
        let response = try await client.send("initiate upload of \(key.raw)", request)
        guard response.isSuccess, let uploadID = S3XML.value("UploadId", in: response.bodyText), !uploadID.isEmpty else {
            throw client.rejection("initiate upload of \(key.raw)", response)
        }
        return uploadID
    }

    /// Sends one part, read from the spool, with its own SHA-256, which the server checks against the bytes.
    func upload(_ part: S3SpoolRange, sha256: String, number: Int, uploadID: String) async throws -> Part {
        let query = "partNumber=\(number)&uploadId=\(S3Query.encode(uploadID))"
        let request = client.request(
            .put, client.url(key: key, query: query), file: part, sha256: sha256, contentType: "application/octet-stream")
        let response = try await client.send("upload part \(number) of \(key.raw)", request)
        guard response.isSuccess, let etag = response.headers["etag"] else {
            throw client.rejection("upload part \(number) of \(key.raw)", response)
        }
        return Part(number: number, etag: etag)
    }

    /// Makes the object visible, unless the key exists (412, raised as `alreadyExists`).
    func complete(_ parts: [Part], uploadID: String) async throws {
        var xml = "<CompleteMultipartUpload>"
        for part in parts {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(S3XML.escape(part.etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let request = client.request(
            .post, client.url(key: key, query: "uploadId=\(S3Query.encode(uploadID))"), body: ByteBuffer(string: xml),
            contentType: "application/xml", headers: ["If-None-Match: *"])
        // S3 may answer 200 and still fail, with an error document in the body; that is retried like a 5xx.
        let response = try await client.send("complete upload of \(key.raw)", request) {
            S3Client.isTransient($0) || ($0.isSuccess && $0.errorCode != nil)
        }
        guard response.isSuccess else { throw client.rejection("complete upload of \(key.raw)", response, key: key) }
    }

    /// Drops the parts sent so far; best effort (a bucket lifecycle rule catches what this misses).
    func abort(uploadID: String) async {
        let request = client.request(.delete, client.url(key: key, query: "uploadId=\(S3Query.encode(uploadID))"))
        _ = try? await client.send("abort upload of \(key.raw)", request)
    }

    /// Objects written by earlier versions as multipart uploads kept their SHA-256 as the object tag
    /// `sha256` (they streamed parts before the whole hash was known); new ones carry it as metadata.
    func taggedSHA256() async throws -> String? {
        let response = try await client.send("read tags of \(key.raw)", client.request(.get, client.url(key: key, query: "tagging=")))
        guard response.isSuccess else { throw client.rejection("read tags of \(key.raw)", response) }
        let text = response.bodyText
        guard let range = text.range(of: "<Key>sha256</Key>") else { return nil }
        return S3XML.value("Value", in: String(text[range.upperBound...]))
    }
}
