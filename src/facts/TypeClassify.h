// Recognises the library types and functions the rules care about (mutexes, atomics, random
// engines, lock guards, threads, descriptor-opening APIs) by their qualified names.
#pragma once

#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/Type.h>
#include <llvm/ADT/StringRef.h>

namespace forksafe {

bool isSyncType(clang::QualType type);    // mutexes, once_flag, condition variables, semaphores
bool isAtomicType(clang::QualType type);  // std::atomic<T>, std::atomic_flag, _Atomic(T)
bool isRngType(clang::QualType type);     // standard random engines and distributions
bool containsRngEngine(clang::QualType type);  // is an engine or has one as a direct member
bool isLockGuardType(clang::QualType type);    // lock_guard, unique_lock, scoped_lock, shared_lock
bool isThreadType(clang::QualType type);       // std::thread, std::jthread
bool isDescriptorType(clang::QualType type);   // fstreams, pqxx::connection: constructing opens

// std::unique_ptr, std::shared_ptr and other owning or sharing pointer classes, by name.
bool isSmartPointerType(clang::QualType type);
// What a pointer, a reference or a smart pointer designates; null for other types.
clang::QualType pointeeType(clang::QualType type);
// A record of the standard library (std and the implementation's own namespaces).
bool isStdRecord(const clang::CXXRecordDecl* record);

// Free functions (C APIs) by plain name.
bool isThreadStartFunction(llvm::StringRef name);   // pthread_create
bool isSeedFunction(llvm::StringRef name);          // srand, srandom, srand48, seed48
bool isPidFunction(llvm::StringRef name);           // getpid, gettid, getppid
bool isSharedMemoryFunction(llvm::StringRef name);  // mmap, shmat: may return shared memory
// Returns true for APIs that create or connect a descriptor. `outParam` receives the index of the
// argument that receives the descriptor, or -1 when the return value is the descriptor.
bool isDescriptorFunction(llvm::StringRef name, int& outParam);

// Standard functions that take a non-const reference without modifying through it, or that just
// hand their argument back (std::move, std::get): binding to them is not a write by itself.
bool isNonMutatingStdFunction(const clang::FunctionDecl& fn);
bool isPassThroughFunction(const clang::FunctionDecl& fn);
// Standard functions that call a callable argument before returning (algorithms, std::invoke).
bool isSynchronousCaller(const clang::FunctionDecl& fn);
bool isCallOnce(const clang::FunctionDecl& fn);
// Standard algorithms that write through iterator arguments. Returns -1 when `fn` is none;
// otherwise the index of the output iterator argument, or kAllIteratorArgs when every iterator
// argument designates modified elements (std::sort, std::fill...).
inline constexpr int kAllIteratorArgs = 1000;
int mutatedIteratorArgument(const clang::FunctionDecl& fn, unsigned numArgs);

// "int(const std::string &)": the canonical return and parameter types of a function type, the
// key that matches a call through a pointer or std::function with the functions it may reach.
std::string signatureOf(const clang::FunctionProtoType* type);
// The signature of a free function, static member or lambda; "" for other members.
std::string signatureOf(const clang::FunctionDecl& fn);

// The record's fully qualified name without inline namespaces ("std::mutex", not
// "std::__1::mutex"), or "" for non-record types. Looks through arrays, typedefs and cv.
std::string recordName(clang::QualType type);

}  // namespace forksafe
