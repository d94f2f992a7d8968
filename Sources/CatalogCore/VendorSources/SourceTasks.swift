import Foundation

extension TaskKind {
    /// One fetch of a source, asked for or scheduled.
    public static let fetchSource: TaskKind = "source.fetch"
}

/// Source fetches as tasks of the one queue. A scheduled fetch's task is unique per source and due
/// time, so however many nodes queue it, it runs once; every fetch of a host shares a serial key, so
/// one host is never fetched twice at once (nor, therefore, one source).
public enum SourceTasks {
    struct Payload: Codable {
        var fetch_id: String?
        var source_id: String?
        var due: Double?
    }

    public static func manual(fetchID: String, url: String, at date: Date) -> NewTask {
        NewTask(kind: .fetchSource, payload: encode(Payload(fetch_id: fetchID)), runAt: date, uniqueKey: "fetch:\(fetchID)",
                serialKey: serialKey(url))
    }

    public static func scheduled(sourceID: String, url: String, due: Date) -> NewTask {
        NewTask(kind: .fetchSource, payload: encode(Payload(source_id: sourceID, due: due.timeIntervalSince1970.rounded())), runAt: due,
                uniqueKey: "schedule:" + scheduleKey(sourceID: sourceID, due: due), serialKey: serialKey(url))
    }

    /// The key that a scheduled fetch is created under, once.
    public static func scheduleKey(sourceID: String, due: Date) -> String {
        "\(sourceID)@\(Int64(due.timeIntervalSince1970.rounded()))"
    }

    public static func start(of task: ClaimedTask) throws -> FetchStart {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(task.payload.utf8)) else {
            throw TaskFailure.permanent("INTERNAL", "The task's payload names no fetch.")
        }
        if let fetchID = payload.fetch_id { return .manual(fetchID: fetchID) }
        if let sourceID = payload.source_id, let due = payload.due { return .scheduled(sourceID: sourceID, due: Date(timeIntervalSince1970: due)) }
        throw TaskFailure.permanent("INTERNAL", "The task's payload names no fetch.")
    }

    static func serialKey(_ url: String) -> String {
        "host:" + (URLComponents(string: url)?.host?.lowercased() ?? url)
    }

    private static func encode(_ payload: Payload) -> String {
        String(decoding: try! JSONEncoder().encode(payload), as: UTF8.self)
    }
}
