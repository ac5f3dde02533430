#include "store/sqlite/wal_write_buffer.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "store/sqlite/sqlite_db.h"

namespace coffer::store {

namespace {

// A run longer than this goes to the file (a batch's frames are a few hundred KiB).
constexpr size_t kMaxRun = 4 << 20;

// SQLite allocates the VFS's szOsFile bytes for a file: this header, then the default VFS's
// file at kRealOffset.
struct File {
  sqlite3_file base;
  sqlite3_file* real;
  std::vector<unsigned char>* run;  // a WAL's writes not yet in the file; null for other files
  sqlite3_int64 run_offset;         // where run's first byte goes
};
constexpr size_t kRealOffset = (sizeof(File) + 7) & ~size_t{7};

sqlite3_vfs* Real(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
File* Of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
sqlite3_file* RealFile(sqlite3_file* f) { return Of(f)->real; }
const sqlite3_io_methods* M(sqlite3_file* f) { return RealFile(f)->pMethods; }

// Writes the run held to the file, kChunk bytes a call of the default VFS. That VFS masks a
// write's length to 17 bits (it never writes more than a page itself), so a call of 128 KiB
// or more fails with SQLITE_FULL once what is left of it is a multiple of 128 KiB. Either way
// the run is let go: on a failure SQLite fails the commit, and writes those frames again in
// the next.
constexpr size_t kChunk = 64 << 10;
int Flush(sqlite3_file* f) {
  File* file = Of(f);
  if (file->run == nullptr || file->run->empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  const std::vector<unsigned char>& run = *file->run;
  for (size_t done = 0; done < run.size() && rc == SQLITE_OK; done += kChunk) {
    const size_t n = std::min(kChunk, run.size() - done);
    rc = M(f)->xWrite(file->real, run.data() + done, static_cast<int>(n),
                      file->run_offset + static_cast<sqlite3_int64>(done));
  }
  file->run->clear();
  return rc;
}

// The methods every file has: the default VFS's, a WAL's run sent first where it matters.
int Close(sqlite3_file* f) {
  int flushed = Flush(f);
  int rc = M(f)->xClose(RealFile(f));
  delete Of(f)->run;
  Of(f)->run = nullptr;
  return flushed != SQLITE_OK ? flushed : rc;
}
int Read(sqlite3_file* f, void* out, int n, sqlite3_int64 at) {
  int rc = Flush(f);
  return rc != SQLITE_OK ? rc : M(f)->xRead(RealFile(f), out, n, at);
}
int Write(sqlite3_file* f, const void* in, int n, sqlite3_int64 at) {
  File* file = Of(f);
  if (file->run == nullptr) return M(f)->xWrite(file->real, in, n, at);
  std::vector<unsigned char>& run = *file->run;
  const auto* bytes = static_cast<const unsigned char*>(in);
  const size_t size = static_cast<size_t>(n);
  // No exception may cross back into SQLite: a run that cannot grow goes to the file, and
  // this write after it.
  if (!run.empty() && at == file->run_offset + static_cast<sqlite3_int64>(run.size()) &&
      run.size() + size <= kMaxRun) {
    try {
      run.insert(run.end(), bytes, bytes + size);
      return SQLITE_OK;
    } catch (const std::bad_alloc&) {
    }
  }
  int rc = Flush(f);
  if (rc != SQLITE_OK) return rc;
  if (size > kChunk) return M(f)->xWrite(file->real, in, n, at);  // not SQLite's
  try {
    run.assign(bytes, bytes + size);
  } catch (const std::bad_alloc&) {
    return M(f)->xWrite(file->real, in, n, at);
  }
  file->run_offset = at;
  return SQLITE_OK;
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  int rc = Flush(f);
  return rc != SQLITE_OK ? rc : M(f)->xTruncate(RealFile(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  int rc = Flush(f);
  return rc != SQLITE_OK ? rc : M(f)->xSync(RealFile(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  int rc = Flush(f);
  return rc != SQLITE_OK ? rc : M(f)->xFileSize(RealFile(f), size);
}
int Lock(sqlite3_file* f, int level) { return M(f)->xLock(RealFile(f), level); }
int Unlock(sqlite3_file* f, int level) { return M(f)->xUnlock(RealFile(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return M(f)->xCheckReservedLock(RealFile(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  int rc = Flush(f);
  return rc != SQLITE_OK ? rc : M(f)->xFileControl(RealFile(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return M(f)->xSectorSize(RealFile(f)); }
int DeviceCharacteristics(sqlite3_file* f) { return M(f)->xDeviceCharacteristics(RealFile(f)); }
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return M(f)->xShmMap(RealFile(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return M(f)->xShmLock(RealFile(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { M(f)->xShmBarrier(RealFile(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) { return M(f)->xShmUnmap(RealFile(f), delete_flag); }
int Fetch(sqlite3_file* f, sqlite3_int64 at, int n, void** out) {
  int rc = Flush(f);
  return rc != SQLITE_OK ? rc : M(f)->xFetch(RealFile(f), at, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 at, void* p) {
  return M(f)->xUnfetch(RealFile(f), at, p);
}

// Version 3, as the default VFS's files are (checked when it is registered).
const sqlite3_io_methods kMethods = {
    .iVersion = 3,
    .xClose = Close,
    .xRead = Read,
    .xWrite = Write,
    .xTruncate = Truncate,
    .xSync = Sync,
    .xFileSize = FileSize,
    .xLock = Lock,
    .xUnlock = Unlock,
    .xCheckReservedLock = CheckReservedLock,
    .xFileControl = FileControl,
    .xSectorSize = SectorSize,
    .xDeviceCharacteristics = DeviceCharacteristics,
    .xShmMap = ShmMap,
    .xShmLock = ShmLock,
    .xShmBarrier = ShmBarrier,
    .xShmUnmap = ShmUnmap,
    .xFetch = Fetch,
    .xUnfetch = Unfetch,
};

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = Of(f);
  file->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kRealOffset);
  file->real->pMethods = nullptr;
  file->run = nullptr;
  file->run_offset = 0;
  f->pMethods = nullptr;  // SQLite closes no file whose open failed
  int rc = Real(vfs)->xOpen(Real(vfs), name, file->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (file->real->pMethods != nullptr) file->real->pMethods->xClose(file->real);
    return rc;
  }
  if (file->real->pMethods->iVersion < 3) {
    file->real->pMethods->xClose(file->real);
    return SQLITE_CANTOPEN;
  }
  // Without memory for a run, the WAL's writes go straight to the file.
  if ((flags & SQLITE_OPEN_WAL) != 0) file->run = new (std::nothrow) std::vector<unsigned char>();
  f->pMethods = &kMethods;
  return SQLITE_OK;
}

// The VFS's other methods: the default VFS's own.
int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Real(vfs)->xDelete(Real(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Real(vfs)->xAccess(Real(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Real(vfs)->xFullPathname(Real(vfs), name, n, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) { return Real(vfs)->xDlOpen(Real(vfs), name); }
void DlError(sqlite3_vfs* vfs, int n, char* out) { Real(vfs)->xDlError(Real(vfs), n, out); }
void (*DlSym(sqlite3_vfs* vfs, void* lib, const char* sym))(void) {
  return Real(vfs)->xDlSym(Real(vfs), lib, sym);
}
void DlClose(sqlite3_vfs* vfs, void* lib) { Real(vfs)->xDlClose(Real(vfs), lib); }
int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return Real(vfs)->xRandomness(Real(vfs), n, out);
}
int Sleep(sqlite3_vfs* vfs, int us) { return Real(vfs)->xSleep(Real(vfs), us); }
int CurrentTime(sqlite3_vfs* vfs, double* out) { return Real(vfs)->xCurrentTime(Real(vfs), out); }
int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Real(vfs)->xGetLastError(Real(vfs), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Real(vfs)->xCurrentTimeInt64(Real(vfs), out);
}

constexpr const char* kName = "coffer-wal-buffer";

}  // namespace

const char* WalWriteBufferVfs() {
  static std::once_flag once;
  static sqlite3_vfs vfs;
  static bool registered = false;
  std::call_once(once, [] {
    if (InitializeSqlite() != SQLITE_OK) return;
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    if (real == nullptr || real->iVersion < 2) return;
    std::memset(&vfs, 0, sizeof vfs);
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(kRealOffset) + real->szOsFile;
    vfs.mxPathname = real->mxPathname;
    vfs.zName = kName;
    vfs.pAppData = real;
    vfs.xOpen = Open;
    vfs.xDelete = Delete;
    vfs.xAccess = Access;
    vfs.xFullPathname = FullPathname;
    vfs.xDlOpen = DlOpen;
    vfs.xDlError = DlError;
    vfs.xDlSym = DlSym;
    vfs.xDlClose = DlClose;
    vfs.xRandomness = Randomness;
    vfs.xSleep = Sleep;
    vfs.xCurrentTime = CurrentTime;
    vfs.xGetLastError = GetLastError;
    vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    registered = sqlite3_vfs_register(&vfs, 0) == SQLITE_OK;
  });
  // Unregistered (no default VFS of version 2, which SQLite's own always is): the default.
  return registered ? kName : nullptr;
}

}  // namespace coffer::store
