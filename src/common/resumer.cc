#include "common/resumer.h"

#include <utility>

namespace coffer {

namespace {
thread_local std::shared_ptr<Resumer> t_resumer;
}  // namespace

const std::shared_ptr<Resumer>& ThreadResumer() { return t_resumer; }
void SetThreadResumer(std::shared_ptr<Resumer> r) { t_resumer = std::move(r); }

}  // namespace coffer
