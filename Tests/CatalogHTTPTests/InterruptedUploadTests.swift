import CatalogCore
import CatalogFileStore
import Foundation
import Logging
import Testing

/// A process killed between storing a raw file and recording its feed leaves a noted commit; the
/// next start removes the file unless the feed was recorded after all.
@Suite struct InterruptedUploadTests {
    /// What such a process leaves in the local store: the object, and in `.tmp` its unlocked temporary
    /// file (a hard link to it) with the note naming the key.
    func leaveInterruptedCommit(_ app: TestApp, key: String, bytes: [UInt8]) throws {
        let objects = app.directory.path + "/objects"
        let finalPath = objects + "/" + key
        if !FileManager.default.fileExists(atPath: finalPath) {
            try FileManager.default.createDirectory(
                atPath: (finalPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: finalPath, contents: Data(bytes)))
        }
        let temporary = objects + "/.tmp/" + UUID().uuidString
        #expect(link(finalPath, temporary) == 0)
        #expect(FileManager.default.createFile(atPath: temporary + ".commit", contents: Data(key.utf8)))
    }

    @Test func theRawFileOfAFeedNeverRecordedIsRemovedAndARecordedOneKept() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let response = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme&file_name=a.csv")
            #expect(response.status == .created)
        }
        let recorded = "raw/partners/acme/feeds/FD00001/a.csv"
        let orphan = "raw/partners/acme/feeds/FD00002/b.csv"
        try leaveInterruptedCommit(app, key: recorded, bytes: sampleCSV)
        try leaveInterruptedCommit(app, key: orphan, bytes: sampleCSV)

        // The next start: a store opened on the folder keeps the noted files, then the recovery checks them.
        let objects = try FileObjectStore(root: app.directory.path + "/objects")
        #expect(Set(await objects.interruptedCommits()) == [recorded, orphan])
        let catalog = Catalog(store: app.catalog.store, objects: objects, maxUploadBytes: 1 << 30)
        let removed = try await catalog.interruptedUploads.recover(logger: Logger(label: "test"))
        #expect(removed == [orphan])
        #expect(app.storedObjects == [recorded])
        #expect(app.directory.files(under: "objects/.tmp").isEmpty)
        #expect(await objects.interruptedCommits().isEmpty)
    }

    @Test func anUploadLeavesNoNoteOnceItsFeedIsRecorded() async throws {
        let app = try await TestApp.make()
        try await app.test { client in
            let raw = try await client.uploadRaw(sampleCSV, key: app.adminKey, query: "partner_name=acme")
            let multipart = try await client.uploadMultipart(
                [.file(fileName: "m.csv", bytes: sampleCSV), .field("partner_name", "acme")], key: app.adminKey)
            #expect(raw.status == .created && multipart.status == .created)
        }
        #expect(app.directory.files(under: "objects/.tmp").isEmpty)
        #expect(app.storedObjects.count == 2)
    }
}
