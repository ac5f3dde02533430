// Store: the persistence interface, the composite of one small interface per aggregate.
// Backends: SqliteStore (sqlite/), pg::PgStore (postgres/); OpenStore (open_store.h) picks one.
//
//   KeyStore       key_store.h       the keyring's wrapped KEKs
//   IdentityStore  identity_store.h  orgs, users, project roles, API tokens
//   ProjectStore   project_store.h   projects
//   SecretStore    secret_store.h    secrets and their versions
//   TargetStore    target_store.h    deployment targets and their credentials
//   JobStore       job_store.h       jobs and their checkouts (usage)
//   AuditStore     audit_store.h     the audit log
//
// Code that needs one aggregate may take the narrow interface; a Store& converts to each.
//
// The contract every interface shares:
// - The store is untrusted: it sees secret metadata and sealed bytes, never a plaintext
//   value, and never links crypto/.
// - Each write method is one atomic transaction, which also appends the audit event(s) it
//   is given. When it returns OK the change is durable (committed and synced to stable
//   storage); when it fails nothing of it is applied, audit event included.
// - A read sees every write that returned OK before the read began.
// - Implementations are thread-safe.
// - Errors: NotFound for a missing row (a row of another org is missing too);
//   AlreadyExists only for a clash on a unique key (an id or a unique name); Conflict for
//   a stale expected version; FailedPrecondition for a write refused by the state it found
//   (a finished job); Unavailable when the backend is busy or unreachable; Corruption for
//   a damaged database; Internal for the rest, including a violated NOT NULL, FOREIGN KEY
//   or CHECK constraint (a caller's bug, not a clash). Messages name no stored value.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "store/audit_store.h"
#include "store/identity_store.h"
#include "store/job_store.h"
#include "store/key_store.h"
#include "store/project_store.h"
#include "store/records.h"
#include "store/secret_store.h"
#include "store/target_store.h"

namespace coffer::store {

// One of a job's writes, to commit without waiting (Store::WriteJobAsync): a job opened, a
// job refused (its event, and its target's history entry when it has one), or a job
// finished by an orchestrator or by its own token.
struct JobWrite {
  enum class Kind { kCreate, kRefuse, kFinish, kFinishOpen };
  Kind kind = Kind::kCreate;
  JobRecord job;                               // kCreate
  std::string org_id, job_id;                  // kFinish, kFinishOpen
  int64_t now = 0;                             // kFinishOpen
  AuditRecord audit;                           // every kind: its event
  std::optional<DeploymentRecord> deployment;  // kCreate, kRefuse: optional
};

// A secret's write, to commit without waiting (Store::WriteSecretAsync): a new secret
// (CreateSecret) or its next version (UpdateSecret). Holds the sealed record, never a value.
struct SecretWrite {
  enum class Kind { kCreate, kUpdate };
  Kind kind = Kind::kCreate;
  SecretRow row;
  int64_t expected_version = 0;  // kUpdate
  AuditRecord audit;
};

class Store : public KeyStore,
              public IdentityStore,
              public ProjectStore,
              public SecretStore,
              public TargetStore,
              public JobStore,
              public AuditStore {
 public:
  ~Store() override = default;
  // Gives the calling thread a connection of its own for reads, for as long as the store is
  // open, where the backend keeps a pool of them in-process (SQLite): that thread's reads
  // then never wait for a connection another thread holds. For the threads that must not
  // wait (the HTTP server's I/O threads, which run SQLite reads). Elsewhere it does nothing.
  virtual Status DedicateReader() { return Status::Ok(); }

  // One request's reads on the calling thread, from BeginRequest to EndRequest (RequestReads
  // below): a backend whose cache is checked against the store's state (SQLite, read_cache.h)
  // checks it once for them all, at the first, so the request sees the cached rows as they
  // were when it began; a write the thread makes in between ends that, and the reads after it
  // see it. The next request checks again. Elsewhere they do nothing.
  virtual void BeginRequest() {}
  virtual void EndRequest() {}

  // `write` as its method would make it (CreateJob; AppendDeployment, or AppendAudit for a
  // refusal without a target; FinishJob; FinishOpenJob), without waiting: `done` gets what
  // that method would have returned, once, when that is true, and must not block or throw.
  // This default calls the method and then `done` on the caller's thread; a backend that
  // commits in-process commits it on its committer thread and calls `done` there, as
  // JobStore::RecordCheckoutAsync.
  virtual void WriteJobAsync(JobWrite write, std::function<void(Status)> done) {
    done(WriteJob(write));
  }
  // The same for a secret's write (CreateSecret or UpdateSecret).
  virtual void WriteSecretAsync(SecretWrite write, std::function<void(Status)> done) {
    done(write.kind == SecretWrite::Kind::kCreate
             ? CreateSecret(write.row, write.audit)
             : UpdateSecret(write.row, write.expected_version, write.audit));
  }

 protected:
  // The write method `write` names, waiting for it.
  Status WriteJob(const JobWrite& write) {
    const DeploymentRecord* deployment = write.deployment ? &*write.deployment : nullptr;
    switch (write.kind) {
      case JobWrite::Kind::kCreate:
        return CreateJob(write.job, write.audit, deployment);
      case JobWrite::Kind::kRefuse:
        return deployment ? AppendDeployment(*deployment, write.audit) : AppendAudit(write.audit);
      case JobWrite::Kind::kFinish:
        return FinishJob(write.org_id, write.job_id, write.audit);
      case JobWrite::Kind::kFinishOpen:
        return FinishOpenJob(write.org_id, write.job_id, write.now, write.audit);
    }
    return Status::Internal("unknown job write");
  }
};

// BeginRequest on `store` for the calling thread, and EndRequest at the end of the scope.
class RequestReads {
 public:
  explicit RequestReads(Store& store) : store_(store) { store_.BeginRequest(); }
  ~RequestReads() { store_.EndRequest(); }
  RequestReads(const RequestReads&) = delete;
  RequestReads& operator=(const RequestReads&) = delete;

 private:
  Store& store_;
};

}  // namespace coffer::store
