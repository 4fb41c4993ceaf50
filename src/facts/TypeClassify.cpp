// Name tables for the library types and functions forksafe recognises.
#include "facts/TypeClassify.h"

#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <llvm/ADT/StringSet.h>

#include <initializer_list>

namespace forksafe {
namespace {

using clang::QualType;

bool oneOf(llvm::StringRef name, std::initializer_list<llvm::StringRef> names) {
  for (llvm::StringRef n : names)
    if (name == n) return true;
  return false;
}

QualType stripArrays(QualType type) {
  while (const auto* array = type->getAsArrayTypeUnsafe()) type = array->getElementType();
  return type;
}

// Typedef names along the sugar chain: pthread_mutex_t is a typedef of an anonymous union.
bool hasTypedefNamed(QualType type, std::initializer_list<llvm::StringRef> names) {
  type = stripArrays(type);
  while (true) {
    if (const auto* td = type->getAs<clang::TypedefType>()) {
      if (oneOf(td->getDecl()->getName(), names)) return true;
      QualType next = td->getDecl()->getUnderlyingType();
      if (next == type) return false;
      type = next;
      continue;
    }
    return false;
  }
}

void printQualified(const clang::NamedDecl* decl, std::string& out) {
  // Build the name from the enclosing namespaces and records, skipping inline namespaces.
  llvm::SmallVector<llvm::StringRef, 4> parts;
  parts.push_back(decl->getName());
  for (const clang::DeclContext* ctx = decl->getDeclContext(); ctx; ctx = ctx->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(ctx)) {
      if (!ns->isInline()) parts.push_back(ns->getName());
    } else if (const auto* rec = llvm::dyn_cast<clang::RecordDecl>(ctx)) {
      parts.push_back(rec->getName());
    }
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out += "::";
    out += it->str();
  }
}

}  // namespace

std::string signatureOf(const clang::FunctionProtoType* type) {
  if (!type) return "";
  std::string out = type->getReturnType().getCanonicalType().getAsString() + "(";
  for (unsigned i = 0; i < type->getNumParams(); ++i) {
    if (i) out += ", ";
    out += type->getParamType(i).getCanonicalType().getAsString();
  }
  return out + (type->isVariadic() ? ", ...)" : ")");
}

std::string signatureOf(const clang::FunctionDecl& fn) {
  if (const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(&fn))
    if (method->isInstance() && !method->getParent()->isLambda()) return "";
  return signatureOf(fn.getType()->getAs<clang::FunctionProtoType>());
}

std::string recordName(QualType type) {
  if (type.isNull()) return "";
  type = stripArrays(type.getNonReferenceType());
  const auto* rec = type->getAsRecordDecl();
  if (!rec) return "";
  std::string out;
  printQualified(rec, out);
  return out;
}

bool isSmartPointerType(QualType type) {
  llvm::StringRef n;
  std::string name = recordName(type);
  n = name;
  // libstdc++ declares shared_ptr's operator* and operator-> in the base __shared_ptr_access.
  return n.ends_with("_ptr") || n.ends_with("Ptr") || n.ends_with("_pointer") ||
         n == "std::__shared_ptr_access";
}

QualType pointeeType(QualType type) {
  if (type.isNull()) return {};
  if (type->isReferenceType()) return type.getNonReferenceType();
  if (type->isPointerType()) return type->getPointeeType();
  if (!isSmartPointerType(type)) return {};
  const auto* spec =
      llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(type->getAsCXXRecordDecl());
  if (!spec || spec->getTemplateArgs().size() == 0 ||
      spec->getTemplateArgs()[0].getKind() != clang::TemplateArgument::Type)
    return {};
  return spec->getTemplateArgs()[0].getAsType();
}

bool isStdRecord(const clang::CXXRecordDecl* record) {
  if (!record) return false;
  if (record->isInStdNamespace()) return true;
  for (const clang::DeclContext* ctx = record->getDeclContext(); ctx; ctx = ctx->getParent())
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(ctx);
        ns && ns->getParent()->isTranslationUnit())
      return ns->getName() == "__gnu_cxx" || ns->getName() == "__cxxabiv1";
  return false;
}

bool isSyncType(QualType type) {
  if (type.isNull()) return false;
  if (hasTypedefNamed(type, {"pthread_mutex_t", "pthread_rwlock_t", "pthread_spinlock_t",
                             "pthread_cond_t", "pthread_once_t", "pthread_barrier_t", "sem_t"}))
    return true;
  std::string name = recordName(type);
  return oneOf(name, {"std::mutex", "std::recursive_mutex", "std::timed_mutex",
                      "std::recursive_timed_mutex", "std::shared_mutex", "std::shared_timed_mutex",
                      "std::once_flag", "std::condition_variable", "std::condition_variable_any",
                      "std::counting_semaphore", "std::latch", "std::barrier", "absl::Mutex",
                      "absl::CondVar", "boost::mutex", "boost::shared_mutex",
                      "boost::recursive_mutex", "boost::condition_variable", "boost::once_flag"});
}

bool isAtomicType(QualType type) {
  if (type.isNull()) return false;
  type = stripArrays(type.getNonReferenceType());
  if (type->isAtomicType()) return true;
  std::string name = recordName(type);
  // libstdc++ implements the members in bases such as std::__atomic_base<T>.
  return oneOf(name, {"std::atomic", "std::atomic_flag", "std::atomic_ref", "boost::atomic"}) ||
         llvm::StringRef(name).starts_with("std::__atomic");
}

bool isRngType(QualType type) {
  std::string name = recordName(type);
  llvm::StringRef n(name);
  if (!n.starts_with("std::")) return false;
  n = n.drop_front(5);
  return n.ends_with("_engine") || n.ends_with("_distribution") || n == "random_device";
}

bool containsRngEngine(QualType type) {
  if (type.isNull()) return false;
  type = stripArrays(type.getNonReferenceType());
  if (isRngType(type)) return llvm::StringRef(recordName(type)).ends_with("_engine");
  const auto* rec = type->getAsCXXRecordDecl();
  if (!rec || !rec->hasDefinition()) return false;
  for (const clang::FieldDecl* field : rec->fields()) {
    std::string name = recordName(field->getType());
    if (llvm::StringRef(name).starts_with("std::") && llvm::StringRef(name).ends_with("_engine"))
      return true;
  }
  return false;
}

bool isLockGuardType(QualType type) {
  std::string name = recordName(type);
  return oneOf(name, {"std::lock_guard", "std::unique_lock", "std::scoped_lock", "std::shared_lock",
                      "absl::MutexLock", "absl::ReaderMutexLock", "absl::WriterMutexLock",
                      "boost::lock_guard", "boost::unique_lock", "boost::shared_lock"});
}

bool isThreadType(QualType type) {
  return oneOf(recordName(type), {"std::thread", "std::jthread", "boost::thread"});
}

bool isDescriptorType(QualType type) {
  return oneOf(recordName(type),
               {"std::basic_ifstream", "std::basic_ofstream", "std::basic_fstream",
                "pqxx::connection", "pqxx::basic_connection", "pqxx::connection_base"});
}

bool isThreadStartFunction(llvm::StringRef name) { return name == "pthread_create"; }

bool isSeedFunction(llvm::StringRef name) {
  return oneOf(name, {"srand", "srandom", "srand48", "seed48", "lcong48"});
}

bool isPidFunction(llvm::StringRef name) { return oneOf(name, {"getpid", "gettid", "getppid"}); }

bool isSharedMemoryFunction(llvm::StringRef name) {
  return oneOf(name, {"mmap", "mmap64", "shmat"});
}

bool isDescriptorFunction(llvm::StringRef name, int& outParam) {
  outParam = -1;
  if (oneOf(name, {"socket",
                   "accept",
                   "accept4",
                   "open",
                   "open64",
                   "openat",
                   "creat",
                   "fopen",
                   "fopen64",
                   "fdopen",
                   "popen",
                   "epoll_create",
                   "epoll_create1",
                   "eventfd",
                   "timerfd_create",
                   "inotify_init",
                   "inotify_init1",
                   "memfd_create",
                   "PQconnectdb",
                   "PQconnectdbParams",
                   "PQsetdbLogin",
                   "PQconnectStart",
                   "redisConnect",
                   "redisConnectWithTimeout",
                   "redisConnectUnix",
                   "redisAsyncConnect",
                   "mongoc_client_new",
                   "zmq_socket",
                   "curl_easy_init"}))
    return true;
  if (oneOf(name, {"sqlite3_open", "sqlite3_open_v2", "sqlite3_open16"})) {
    outParam = 1;
    return true;
  }
  if (oneOf(name, {"pipe", "pipe2", "connect", "mysql_real_connect"})) {
    outParam = 0;
    return true;
  }
  if (name == "socketpair") {
    outParam = 3;
    return true;
  }
  return false;
}

namespace {
bool inStd(const clang::FunctionDecl& fn) { return fn.isInStdNamespace(); }
}  // namespace

bool isNonMutatingStdFunction(const clang::FunctionDecl& fn) {
  if (!inStd(fn) || !fn.getIdentifier()) return false;
  return oneOf(fn.getName(), {"begin", "end", "cbegin", "cend", "rbegin", "rend", "size", "ssize",
                              "data", "empty", "addressof", "ref", "cref", "as_const", "distance",
                              "lock", "try_lock", "call_once", "hash"});
}

// std::exchange is not one: it writes its first argument and returns the old value.
bool isPassThroughFunction(const clang::FunctionDecl& fn) {
  if (!inStd(fn) || !fn.getIdentifier()) return false;
  return oneOf(fn.getName(), {"move", "forward", "get", "ref", "addressof"});
}

bool isSynchronousCaller(const clang::FunctionDecl& fn) {
  if (!inStd(fn) || !fn.getIdentifier()) return false;
  // Containers and wrappers that store the callable are not synchronous callers.
  return !oneOf(fn.getName(), {"thread", "jthread", "async", "function", "move_only_function",
                               "packaged_task", "bind", "bind_front", "bind_back", "make_shared",
                               "make_unique", "atexit", "at_quick_exit", "signal", "call_once"});
}

bool isCallOnce(const clang::FunctionDecl& fn) {
  return inStd(fn) && fn.getIdentifier() && fn.getName() == "call_once";
}

int mutatedIteratorArgument(const clang::FunctionDecl& fn, unsigned numArgs) {
  if (!inStd(fn) || !fn.getIdentifier()) return -1;
  llvm::StringRef n = fn.getName();
  if (oneOf(n, {"sort",       "stable_sort", "partial_sort", "nth_element",      "reverse",
                "rotate",     "shuffle",     "fill",         "fill_n",           "generate",
                "generate_n", "remove",      "remove_if",    "unique",           "replace",
                "replace_if", "iota",        "partition",    "stable_partition", "make_heap",
                "push_heap",  "pop_heap",    "sort_heap",    "inplace_merge",    "swap_ranges",
                "iter_swap"}))
    return kAllIteratorArgs;
  if (oneOf(n, {"copy", "copy_if", "copy_n", "move", "move_backward", "copy_backward",
                "replace_copy", "replace_copy_if", "remove_copy", "remove_copy_if", "unique_copy",
                "reverse_copy", "rotate_copy"}))
    return n == "rotate_copy" ? 3 : 2;
  if (n == "transform") return numArgs >= 5 ? 3 : 2;
  return -1;
}

}  // namespace forksafe
