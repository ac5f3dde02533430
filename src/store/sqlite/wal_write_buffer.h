// A SQLite VFS, "coffer-wal-buffer", that is the default VFS but for one thing: the writes of
// a WAL file go to the file 64 KiB a pwrite once the run of them ends, not one call each.
//
// SQLite writes a commit's frames to the WAL two writes a frame (the 24-byte frame header,
// then the page), then syncs: a batch of 40 pages is 80 pwrite calls, each taking the
// inode's lock and walking the page cache for the few bytes it brings (a fifth of the
// committer's time under 32 writing clients). Here a write that continues the run held
// (starts where it ends) joins it in memory, and the run goes to the file (64 KiB a call)
// before anything else touches the file: a sync, a read, a truncate, its size, a write elsewhere,
// a file control, closing it, or the run reaching kMaxRun bytes. What the file holds when a
// sync returns is what it would hold without the buffer, so a commit that SQLite reports
// durable is.
//
// Only for a connection with `synchronous = FULL` (or EXTRA): other connections read a
// commit's frames once the WAL-index says they are there, and SQLite updates it after the
// commit's sync, which sends the run to the file first. With NORMAL or OFF a commit is not
// synced and its frames could be counted before they are written; SqliteStore checks the
// setting of the connection it opens with this VFS.
//
// Files other than a WAL (the database, a journal) go straight to the default VFS.
#pragma once

namespace coffer::store {

// Registers the VFS (once; later calls return at once) and returns its name, for
// sqlite3_open_v2.
const char* WalWriteBufferVfs();

}  // namespace coffer::store
