import GRDB

extension Database {
    /// SQLite's page cache is per connection: the writer gets 32 MB for bulk merges and index builds,
    /// each of the pool's readers 8 MB. With 32 MB for every reader, a node serving 1M products peaked at
    /// 356 MB under bench/read-path.sh; with 8 MB at 161 MB, its list pages as fast.
    func setPageCacheSize() throws {
        try execute(sql: configuration.readonly ? "PRAGMA cache_size = -8192" : "PRAGMA cache_size = -32768")
    }
}
