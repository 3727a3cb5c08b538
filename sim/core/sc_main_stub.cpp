// libsystemc.so refers to sc_main. drvsim's programs have their own main()
// and start SystemC through sim::fresh_kernel(), so this is never called.
#include <cstdio>

extern "C" int sc_main(int, char**) {
  std::fputs("drvsim: sc_main is not an entry point\n", stderr);
  return 2;
}
