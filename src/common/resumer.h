// Resumer: where an asynchronous outcome goes back to. An I/O thread that runs an event loop
// sets one for itself (HttpServer); a write it submits to the store is then answered there
// (its callback posted to that loop), so the thread that committed the write goes straight
// on to the next batch instead of building each answer: the committer is the one thread
// every write waits on, and an answer (JSON, the access log, metrics) was a third of its
// work. A thread without one (a worker, a test, a command) has its callbacks run where the
// outcome is known, as before.
//
// A thread that blocks until a callback has run (service::Await, GroupCommit::Write) must
// not have it posted to its own loop: NoResumer clears the thread's resumer meanwhile.
#pragma once

#include <functional>
#include <memory>

namespace coffer {

class Resumer {
 public:
  virtual ~Resumer() = default;
  // Runs `fn` later on the resumer's thread, or now on the calling thread once the resumer
  // has closed (its loop has stopped). Called from any thread.
  virtual void Post(std::function<void()> fn) = 0;
};

// The calling thread's resumer, or null. Shared: a write keeps its submitter's resumer, which
// outlives the loop it posts to (closed, it runs what comes on the posting thread).
const std::shared_ptr<Resumer>& ThreadResumer();
void SetThreadResumer(std::shared_ptr<Resumer> r);

// Clears the calling thread's resumer for the scope.
class NoResumer {
 public:
  NoResumer() : saved_(ThreadResumer()) { SetThreadResumer(nullptr); }
  ~NoResumer() { SetThreadResumer(saved_); }
  NoResumer(const NoResumer&) = delete;
  NoResumer& operator=(const NoResumer&) = delete;

 private:
  std::shared_ptr<Resumer> saved_;
};

}  // namespace coffer
