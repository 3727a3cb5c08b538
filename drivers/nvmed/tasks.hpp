// Small task helpers for nvmed: spawning a task that keeps its owner alive,
// and running several tasks concurrently until all are done.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "drivers/hal/executor.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/task.hpp"

namespace nvmed {

/// Spawns `task` on `ex`; `keep` (the object the task works on) lives at
/// least as long as the task, even if its owner lets go first.
void spawn_kept(hal::Executor& ex, std::shared_ptr<void> keep, hal::Task<void> task, std::string name);

/// Runs the tasks concurrently (each spawned on `ex`) and waits for every
/// one; the first error in list order, if any.
hal::Task<hal::Result<void>> run_all(hal::Executor& ex, std::shared_ptr<void> keep,
                                     std::vector<hal::Task<hal::Result<void>>> tasks, std::string name);

}  // namespace nvmed
