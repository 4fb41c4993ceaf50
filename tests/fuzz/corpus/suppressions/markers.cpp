int a;  // NOLINT
int b;  // NOLINT(forksafe-per-worker-state)
// NOLINTNEXTLINE(forksafe-*)
int c;
// NOLINTBEGIN(forksafe-prefork-*, -forksafe-prefork-rng)
int d;
// NOLINTEND(forksafe-prefork-*, -forksafe-prefork-rng)
int e;  // NOLINT(
