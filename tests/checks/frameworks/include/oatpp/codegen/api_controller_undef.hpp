// STAND-IN for oat++'s ApiController codegen cleanup (see ApiController.hpp).
#undef PATH
#undef ENDPOINT
