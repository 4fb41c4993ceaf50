int a; // NOLINT( , -,*,[a-z]+,(x)|y\\ )
int b; // NOLINT(-*)
