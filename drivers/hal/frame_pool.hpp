// Where coroutine frames live. Every co_await on a Task creates a frame, a
// dozen per I/O request through a driver; through the general-purpose heap
// that was a sixth of the host time of a storage run. Frames are recycled
// instead through per-thread free lists of fixed size classes (64-byte steps
// up to 2 KiB; larger frames go to the heap). Memory returns to the heap when
// the thread ends. Addresses never influence behaviour, so determinism is
// untouched. Sanitizer builds use the heap directly, so use-after-free in
// coroutine code stays visible to them.
#pragma once

#include <cstddef>

namespace hal::frame_pool {

void* allocate(std::size_t bytes);
void deallocate(void* p, std::size_t bytes) noexcept;

/// Frames handed out and not yet returned, on this thread (for tests).
std::size_t live_frames() noexcept;

}  // namespace hal::frame_pool
