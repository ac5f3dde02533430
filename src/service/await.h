// Await: an asynchronous call's outcome, waited for on the calling thread (the synchronous
// form of a service's ...Async method, for callers that may block).
#pragma once

#include <future>
#include <utility>

#include "common/resumer.h"

namespace coffer::service {

// Calls `start` with a `done` and returns what `done` was given. `done` must be called once,
// and not on this thread's event loop, which waits here (NoResumer).
template <class T, class Start>
T Await(Start start) {
  std::promise<T> answer;
  std::future<T> answered = answer.get_future();
  {
    NoResumer here_waits;
    start([&answer](T outcome) { answer.set_value(std::move(outcome)); });
  }
  return answered.get();
}

}  // namespace coffer::service
