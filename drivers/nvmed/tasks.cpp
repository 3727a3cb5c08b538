#include "drivers/nvmed/tasks.hpp"

#include <optional>

#include "drivers/hal/signal.hpp"

namespace nvmed {

namespace {

// A coroutine frame destroyed while suspended destroys its locals before its
// parameters: the task lives in a local so that it (and whatever it holds on
// the kept object) goes before `keep` lets the object go.
hal::Task<void> kept(std::shared_ptr<void> keep, hal::Task<void> task) {
  hal::Task<void> t = std::move(task);
  co_await t;
  (void)keep;
}

struct Join {
  std::size_t left = 0;
  std::vector<std::optional<hal::Error>> errors;
  hal::Signal<void> done;
};

hal::Task<void> joined(std::shared_ptr<void> keep, std::shared_ptr<Join> join, std::size_t index,
                       hal::Task<hal::Result<void>> task) {
  hal::Task<hal::Result<void>> t = std::move(task);  // destroyed before `keep`, as in kept()
  const hal::Result<void> r = co_await t;
  if (!r) join->errors[index] = r.error();
  if (--join->left == 0) join->done.complete();
  (void)keep;
}

}  // namespace

void spawn_kept(hal::Executor& ex, std::shared_ptr<void> keep, hal::Task<void> task, std::string name) {
  ex.spawn(kept(std::move(keep), std::move(task)), std::move(name));
}

hal::Task<hal::Result<void>> run_all(hal::Executor& ex, std::shared_ptr<void> keep,
                                     std::vector<hal::Task<hal::Result<void>>> tasks, std::string name) {
  if (tasks.empty()) co_return hal::ok();
  if (tasks.size() == 1) co_return co_await tasks.front();
  auto join = std::make_shared<Join>();
  join->left = tasks.size();
  join->errors.resize(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) ex.spawn(joined(keep, join, i, std::move(tasks[i])), name);
  co_await join->done;
  for (const auto& e : join->errors)
    if (e) co_return *e;
  co_return hal::ok();
}

}  // namespace nvmed
