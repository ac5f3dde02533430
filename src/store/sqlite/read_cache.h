// GenerationCache: rows SqliteStore read once, kept with the store generation they were read
// at, and served again only while that generation is still the store's.
//
// The generation is a counter in the database (table store_generation) that triggers move on
// every change to a row of the tables the caches read (tokens, users, project_roles,
// secrets: migration 10; since migration 13 one counter for the first three and one for
// secrets, which since migration 14 updates and deletes of secret_versions rows move too),
// in the change's own transaction, whoever makes it (`coffer admin` writes the same
// file as the server). A reader reads the counter first:
// an entry read at that same generation is what the database holds now, so a revoked token
// or a tightened policy is refused on the very next request. (SqliteStore reads the counter's
// row only when the WAL-index header, which every commit rewrites, has moved since its last
// read of it: sqlite_store.cc, ReadGeneration.) An entry is put only when the
// counter read after its row equals the one read before it, so no commit came in between.
// Only the embedded store caches: two servers on one PostgreSQL share no memory, and there
// each request reads the database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace coffer::store {

// The store's two generations, each a row of store_generation (migration 13): `identity`
// moved by changes to tokens, users and project roles (the token holders' cache), `secrets`
// by changes to secrets and to their versions' rows (the caches of secrets' metadata, of
// jobs' resolved names and of pinned versions' sealed bytes), so that a secret's write
// leaves the callers' tokens cached.
struct Generations {
  int64_t identity = 0;
  int64_t secrets = 0;
};

template <class Value>
class GenerationCache {
 public:
  explicit GenerationCache(size_t max_entries) : max_entries_(max_entries) {}

  // The entry for `key` read at `generation`, or null. A newer generation drops every older
  // entry at once (a destroyed version's bytes do not wait for the next Put to go).
  std::shared_ptr<const Value> Find(const std::string& key, int64_t generation) {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation > generation_) {
      entries_.clear();
      generation_ = generation;
      return nullptr;
    }
    if (generation != generation_) return nullptr;
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : it->second;
  }

  // Keeps `value`, read at `generation`. A newer generation drops every older entry (none of
  // them can be served again); a value read at an older one is not kept.
  void Put(const std::string& key, int64_t generation, Value value) {
    auto v = std::make_shared<const Value>(std::move(value));
    std::lock_guard<std::mutex> lock(mu_);
    if (generation < generation_) return;
    if (generation > generation_) {
      entries_.clear();
      generation_ = generation;
    }
    if (entries_.size() >= max_entries_) entries_.clear();  // a bound, not an eviction policy
    entries_.insert_or_assign(key, std::move(v));
  }

 private:
  const size_t max_entries_;
  std::mutex mu_;
  int64_t generation_ = -1;  // under mu_: the generation every entry was read at
  std::unordered_map<std::string, std::shared_ptr<const Value>> entries_;  // under mu_
};

}  // namespace coffer::store
