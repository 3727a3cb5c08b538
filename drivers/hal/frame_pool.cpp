#include "drivers/hal/frame_pool.hpp"

#include <new>

namespace hal::frame_pool::detail {

namespace {

// Frees this thread's free lists when the thread ends. Touched on every slow
// allocation, which is what makes its destructor run: a thread's first frame
// always takes the slow path.
struct Cleanup {
  bool armed = false;
  ~Cleanup() {
    for (FreeNode*& h : lists.head)
      while (h) {
        FreeNode* n = h->next;
        ::operator delete(static_cast<void*>(h));
        h = n;
      }
  }
};

thread_local Cleanup cleanup;

}  // namespace

void* allocate_slow(std::size_t bytes) {
  cleanup.armed = true;
#ifndef DRVSIM_FRAME_POOL_OFF
  if (pooled(bytes)) return ::operator new((class_of(bytes) + 1) * kStep);
#endif
  return ::operator new(bytes);
}

}  // namespace hal::frame_pool::detail
