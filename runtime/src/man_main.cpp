// forksafe-serve-man: prints the forksafe-serve(1) man page generated from the option table.
#include <cstdio>

#include "settings.hpp"

int main() {
  std::fputs(forksafe::serve::render_man().c_str(), stdout);
  return 0;
}
