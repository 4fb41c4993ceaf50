// The per-translation-unit facts forksafe extracts from the AST: plain data, no clang types.
//
// Everything the rules need is expressed here so that the analysis (Model) never touches an AST:
// functions and the edges between them, static-storage variables and every access to them, and
// the pre-fork events (threads, descriptors, seeds, pids). Accesses name their target through a
// Base that may be symbolic (a parameter of the function, or what another function returns by
// reference); the Model resolves those once it has seen every function. This keeps the per-TU
// work independent and makes the facts mergeable across translation units.
#pragma once

#include <string>
#include <vector>

namespace forksafe {

struct Location {
  std::string file;  // absolute path
  unsigned line = 0;
  unsigned column = 0;

  bool valid() const { return line != 0; }
  friend bool operator==(const Location& a, const Location& b) {
    return a.line == b.line && a.column == b.column && a.file == b.file;
  }
  friend bool operator<(const Location& a, const Location& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  }
};

enum class RootKind {
  None,
  Handler,     // FORKSAFE_HANDLER, --handlers=REGEX, or a callable registered with forksafe::App
  Init,        // FORKSAFE_INIT: runs once in the master before fork
  WorkerInit,  // FORKSAFE_WORKER_INIT: runs in each worker after fork, before requests
  Main,        // main(): runs before any worker could be forked
  Signal,      // installed with signal()/sigaction(): neither request time nor init
  Shutdown,    // what runs after a blocking serving call returned: neither request time nor init
};

struct FunctionFact {
  std::string id;    // USR, or "init:<variable id>" for a static initializer
  std::string name;  // for messages: "handle_visit()", "lambda at app.cpp:12"
  Location loc;
  RootKind root = RootKind::None;
  bool isStaticInit = false;  // the dynamic initializer of a namespace-scope/static member variable
  std::string signature;      // "int(const std::string &)": matches calls through pointers
  std::string display;        // the framework's name for a handler ("GET /users/:id"), or empty
  std::string framework;      // the framework whose registration made it a root, or empty
  bool library = false;       // defined in library code: a system header or a framework header
  // Not serialized: the main file of the translation unit whose definition the link kept.
  std::string unit;
};

// The id prefix of the pseudo-function holding what a function runs after the call that starts
// serving ("serve:<id>"): request time (a Handler root), or shutdown (a Shutdown root) after a
// call that serves until shutdown; what precedes the call stays init time.
inline constexpr const char* kServePrefix = "serve:";

enum class EdgeKind {
  Direct,    // called (including constructors, operators, lambdas invoked in place)
  Virtual,   // called through a virtual method: every override is a possible target
  Callback,  // passed or stored as a callable (route, thread body, std::function): runs later
  Once,      // passed to std::call_once: runs at most once per process
};

struct CallFact {
  std::string caller;
  std::string callee;
  EdgeKind kind = EdgeKind::Direct;
  Location loc;
  bool locked = false;  // a lock is held at the call site
};

// A call through a function pointer or a std::function: it may reach any function whose address
// is taken somewhere in the program and whose signature matches.
struct IndirectCallFact {
  std::string caller;
  std::string signature;
  Location loc;
  bool locked = false;
};

struct OverrideFact {
  std::string method;      // the overriding method
  std::string overridden;  // the method it overrides
};

// Where fixes may edit a variable's declaration (report/Fixes.h): byte offsets into its loc.file,
// taken from the text the parse saw.
struct FixSite {
  bool nolint = false;          // lineEnd is where a `// NOLINT(...)` comment may go
  unsigned lineEnd = 0;         // the end of loc's line (before the newline)
  bool editable = false;        // one variable declared, in a file, outside macros
  unsigned declBegin = 0;       // where the declaration starts: FORKSAFE_PER_WORKER goes here
  unsigned includeAt = 0;       // just past the last #include above it (0: the top of the file)
  bool perWorkerMacro = false;  // the file #includes a forksafe header above the declaration
  bool includesAtomic = false;  // the file itself #includes <atomic>
  // Non-empty when the written type [typeBegin, typeEnd) can become std::atomic<atomicType> with
  // every use still valid and meaning the same (facts/FixSites.cpp).
  std::string atomicType;
  unsigned typeBegin = 0, typeEnd = 0;
};

struct VariableFact {
  std::string id;                 // USR
  std::string name;               // qualified name
  std::string mangled;            // Itanium mangled name (the symbol in the ELF file)
  Location loc;                   // definition when the TU has it, otherwise the declaration
  std::string enclosingFunction;  // function id, for function-local statics
  bool isConst = false;           // const or constexpr: never state
  bool isThreadLocal = false;
  bool isAtomic = false;
  bool isSync = false;       // mutex, once_flag, condition variable...: never state
  bool isRng = false;        // a standard random engine or distribution
  bool containsRng = false;  // is or directly holds a random engine
  bool isPerWorker = false;  // FORKSAFE_PER_WORKER
  bool isStaticMember = false;
  bool isPointer = false;     // a raw pointer, or an array of them
  bool isDefinition = false;  // loc is the definition (not an extern or in-class declaration)
  // Pointer-like: a raw pointer, a reference or a smart pointer. What it designates is state of
  // its own: fork copies the heap exactly as it copies .data, so a write to the pointed-to object
  // is a write every worker makes to its own copy (unless the object lives in shared memory).
  bool isReference = false;
  bool isSmartPointer = false;
  bool pointeeSync = false;  // points to a mutex, condition variable...
  bool pointeeRng = false;   // points to a random engine (forksafe-prefork-rng's business)
  bool library = false;      // declared in library code: a system header or a framework header
  // The forksafe::shared type that holds this kind of state across workers: "Counter" for an
  // integer (or an atomic one), "Map" for a map, or empty (docs/shared-state.md).
  std::string sharedType;
  FixSite fix;
};

enum class BaseKind {
  Variable,   // id = variable id
  Parameter,  // param = index of a reference/pointer parameter of the accessing function
  ReturnOf,   // id = function id: whatever that function returns by reference or pointer
  This,       // a member of *this (only used for pre-fork stores)
  Result,     // the accessing function's return value (only used for pre-fork stores)
};

// Parameter index that stands for the implicit object (*this) of a member function.
inline constexpr unsigned kThisParam = 0xFFFFFFFFu;

struct Base {
  BaseKind kind = BaseKind::Variable;
  std::string id;
  unsigned param = 0;  // BaseKind::Parameter: the parameter's index, or kThisParam
  // Not the storage itself but what it points to, through one or more pointers, references or
  // smart pointers (`g_cache->put()`, `*slot += n`, a pointer member's target).
  bool pointee = false;
};

enum class AccessKind { Read, Write };

struct AccessFact {
  std::string function;
  Base base;
  AccessKind kind = AccessKind::Read;
  Location loc;
  bool locked = false;  // a lock is held at this point of the function
  bool atomic = false;  // the operation acts on an atomic object
  std::string how;      // "incremented", "assigned", "modified by 'push_back()'"...
};

// An argument whose storage a callee may modify: passed by non-const reference or pointer, or
// the object of a non-const member call, to a function of the program. Whether it is a write
// depends on what the callee does with it; the Model decides.
struct BindingFact {
  std::string function;
  Base base;
  std::string callee;
  std::string calleeName;
  unsigned param = 0;  // or kThisParam for the object of a member call
  Location loc;
  bool locked = false;
  bool atomic = false;
};

// A pointer-like static variable is made to point somewhere: at static storage (`slot = &quota`,
// `int& alias = g`), at shared memory (`mmap(... MAP_SHARED ...)`, `shmat`) or at anything else
// (`new T`, `std::make_unique<T>()`, a function's result). Writes through the pointer go to what it
// points to; the Model redirects them when every store aims it at static storage or shared memory.
enum class AimKind { Static, SharedMemory, Other };

struct PointsToFact {
  std::string function;  // where the store happens (a static initializer's id for initializers)
  std::string pointer;   // the pointer-like variable's id
  AimKind kind = AimKind::Other;
  Base target;  // AimKind::Static: the storage it is aimed at
  Location loc;
  std::string api;  // AimKind::SharedMemory: "mmap", "shmat"
};

// `function` returns `base` by non-const reference or pointer (accessors, Meyers singletons).
struct ReturnFact {
  std::string function;
  Base base;
};

enum class EventKind {
  ThreadStart,      // std::thread/std::jthread/pthread_create
  DescriptorOpen,   // socket/open/fopen/connect/sqlite3_open/... (api names the call)
  DescriptorStore,  // the value of calls to `callees` is stored into `target`
  RngSeed,          // an engine is seeded (target) or srand/srandom is called (no target)
  PidCapture,       // getpid()/gettid() stored into target
  Fork,             // fork()/daemon(), or a framework call that starts its multi-process mode
};

struct EventFact {
  EventKind kind = EventKind::ThreadStart;
  std::string function;
  Location loc;
  std::string api;
  bool hasTarget = false;
  Base target;
  std::vector<std::string> callees;  // DescriptorStore: the calls whose value is stored
  // RngSeed: where the seed comes from, "constant" (a literal, or a default-constructed engine),
  // "clock" (time(), clock_gettime, std::chrono), "random" (std::random_device, getrandom, a pid:
  // different in every process) or "unknown".
  std::string seed;
};

struct TUFacts {
  std::string mainFile;
  std::vector<FunctionFact> functions;
  std::vector<CallFact> calls;
  std::vector<IndirectCallFact> indirectCalls;
  std::vector<std::string> addressTaken;  // functions (and lambdas) used as values
  std::vector<OverrideFact> overrides;
  std::vector<VariableFact> variables;
  std::vector<AccessFact> accesses;
  std::vector<BindingFact> bindings;
  std::vector<ReturnFact> returns;
  std::vector<EventFact> events;
  std::vector<PointsToFact> pointsTo;
  bool hasHandlerRoots = false;  // any handler root (annotation, pattern match or router)
  bool handlerPatterns = false;  // --handlers/HandlerPatterns were configured for this TU
  // Absolute paths of the system headers (<...> on a system or -isystem path) that locations of
  // these facts point into: library code, whatever the header filter says.
  std::vector<std::string> systemHeaders;
  // Why this TU runs under a pre-fork server whatever its main() does, when it uses
  // FORKSAFE_APP or FORKSAFE_INIT/FORKSAFE_WORKER_INIT; empty otherwise.
  std::string preforkHint;
  std::vector<std::string> frameworks;  // frameworks whose registration or serving calls were seen
};

// Bumped whenever the meaning or layout of the facts changes; cached facts of another version
// are ignored.
inline constexpr int kFactsVersion = 4;

}  // namespace forksafe
