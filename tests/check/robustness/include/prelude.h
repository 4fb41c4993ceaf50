// A small stand-in for the C and C++ standard library used by the robustness test: declarations
// only, enough for the seed programs to parse in milliseconds instead of seconds. Every standard
// header name the seeds include is a one-line file that includes this one.
#pragma once

typedef unsigned long size_t;
typedef long ssize_t;
typedef long ptrdiff_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef long time_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef long int64_t;
typedef int int32_t;
typedef unsigned char uint8_t;
typedef struct {
  int opaque[10];
} pthread_mutex_t;
#define PTHREAD_MUTEX_INITIALIZER {{0}}
struct DIR;
struct dirent {
  char d_name[256];
};
typedef unsigned long pthread_t;
typedef unsigned int socklen_t;
typedef unsigned short sa_family_t;
struct FILE;
struct sockaddr {
  sa_family_t sa_family;
  char sa_data[14];
};
struct in_addr {
  uint32_t s_addr;
};
struct sockaddr_in {
  sa_family_t sin_family;
  uint16_t sin_port;
  in_addr sin_addr;
};
struct stat {
  long st_size;
  unsigned st_mode;
};
struct timespec {
  time_t tv_sec;
  long tv_nsec;
};
#define NULL nullptr
#define EOF (-1)
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 64
#define O_APPEND 1024
#define O_CLOEXEC 524288
#define AF_INET 2
#define AF_UNIX 1
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOL_SOCKET 1
#define SO_REUSEADDR 2
#define MSG_DONTWAIT 64
#define MSG_NOSIGNAL 16384
#define EINTR 4
#define EAGAIN 11
#define INADDR_ANY 0u
#define SIGTERM 15
#define SIGINT 2
#define SIGCHLD 17
#define SIGPIPE 13
#define SEEK_SET 0
#define SEEK_END 2
#define O_TRUNC 512
#define SIG_IGN ((void (*)(int))1)
#define LOCK_EX 2
#define LOCK_UN 8
#define WNOHANG 1
#define RAND_MAX 2147483647
#define stdout stdout
#define stderr stderr
#define stdin stdin

extern "C" {
extern FILE* stdout;
extern FILE* stderr;
extern FILE* stdin;
int gethostname(char*, size_t);
int pthread_mutex_lock(pthread_mutex_t*);
int pthread_mutex_unlock(pthread_mutex_t*);
DIR* opendir(const char*);
dirent* readdir(DIR*);
int closedir(DIR*);
int setsockopt(int, int, int, const void*, socklen_t);
int dup2(int, int);
int pipe(int*);
int mkdir(const char*, unsigned);
extern int errno;
pid_t getpid(void);
pid_t gettid(void);
pid_t getppid(void);
pid_t fork(void);
pid_t waitpid(pid_t, int*, int);
int open(const char*, int, ...);
int close(int);
ssize_t read(int, void*, size_t);
ssize_t write(int, const void*, size_t);
ssize_t pread(int, void*, size_t, long);
ssize_t pwrite(int, const void*, size_t, long);
int flock(int, int);
int fsync(int);
int unlink(const char*);
int socket(int, int, int);
int bind(int, const sockaddr*, socklen_t);
int listen(int, int);
int accept(int, sockaddr*, socklen_t*);
int connect(int, const sockaddr*, socklen_t);
ssize_t send(int, const void*, size_t, int);
ssize_t recv(int, void*, size_t, int);
uint16_t htons(uint16_t);
uint32_t htonl(uint32_t);
void (*signal(int, void (*)(int)))(int);
int kill(pid_t, int);
unsigned sleep(unsigned);
int usleep(unsigned);
int pthread_create(pthread_t*, const void*, void* (*)(void*), void*);
int pthread_detach(pthread_t);
int pthread_atfork(void (*)(void), void (*)(void), void (*)(void));
ssize_t getrandom(void*, size_t, unsigned);
int fstat(int, struct stat*);
int clock_gettime(int, timespec*);
time_t time(time_t*);
int rand(void);
void srand(unsigned);
long random(void);
void srandom(unsigned);
int printf(const char*, ...);
int fprintf(FILE*, const char*, ...);
int snprintf(char*, size_t, const char*, ...);
int sscanf(const char*, const char*, ...);
int fscanf(FILE*, const char*, ...);
int fputs(const char*, FILE*);
char* fgets(char*, int, FILE*);
FILE* fopen(const char*, const char*);
int fclose(FILE*);
int fflush(FILE*);
void perror(const char*);
char* getenv(const char*);
int atoi(const char*);
long atol(const char*);
unsigned long strtoul(const char*, char**, int);
unsigned long long strtoull(const char*, char**, int);
void exit(int);
int rename(const char*, const char*);
long lseek(int, long, int);
pid_t wait(int*);
int openat(int, const char*, int, ...);
int fstatat(int, const char*, struct stat*, int);
void _exit(int);
int inet_pton(int, const char*, void*);
void abort(void);
void* malloc(size_t);
void free(void*);
void* memcpy(void*, const void*, size_t);
void* memset(void*, int, size_t);
int memcmp(const void*, const void*, size_t);
size_t strlen(const char*);
int strcmp(const char*, const char*);
int strncmp(const char*, const char*, size_t);
char* strchr(const char*, int);
char* strdup(const char*);
char* strerror(int);
}

namespace std {
using ::abort;
using ::atoi;
using ::atol;
using ::exit;
using ::fclose;
using ::fflush;
using ::fgets;
using ::FILE;
using ::fopen;
using ::fprintf;
using ::fputs;
using ::fscanf;
using ::getenv;
using ::int64_t;
using ::memcpy;
using ::memset;
using ::printf;
using ::rand;
using ::rename;
using ::size_t;
using ::snprintf;
using ::srand;
using ::sscanf;
using ::strchr;
using ::strlen;
using ::strtoul;
using ::strtoull;
using ::time;
using ::time_t;
using ::uint16_t;
using ::uint32_t;
using ::uint64_t;
typedef decltype(nullptr) nullptr_t;
template <class E>
class initializer_list {
  const E* array_;
  size_t len_;
  constexpr initializer_list(const E* a, size_t n) : array_(a), len_(n) {}

 public:
  constexpr initializer_list() : array_(nullptr), len_(0) {}
  constexpr size_t size() const { return len_; }
  constexpr const E* begin() const { return array_; }
  constexpr const E* end() const { return array_ + len_; }
};

template <class T>
struct remove_reference {
  typedef T type;
};
template <class T>
struct remove_reference<T&> {
  typedef T type;
};
template <class T>
struct remove_reference<T&&> {
  typedef T type;
};
template <class T>
typename remove_reference<T>::type&& move(T&& t) noexcept {
  return static_cast<typename remove_reference<T>::type&&>(t);
}
template <class T>
T&& forward(typename remove_reference<T>::type& t) noexcept {
  return static_cast<T&&>(t);
}
template <class T>
void swap(T& a, T& b) {
  T t(move(a));
  a = move(b);
  b = move(t);
}
template <class T>
const T& min(const T& a, const T& b) {
  return b < a ? b : a;
}
template <class T>
const T& max(const T& a, const T& b) {
  return a < b ? b : a;
}

class exception {
 public:
  virtual ~exception();
  virtual const char* what() const noexcept;
};
class runtime_error : public exception {
 public:
  explicit runtime_error(const char*);
};

class string_view;
class string {
 public:
  static const size_t npos = static_cast<size_t>(-1);
  string();
  string(const char*);
  string(const char*, size_t);
  string(size_t, char);
  template <class It>
  string(It, It);
  string(const string&);
  explicit string(string_view);
  string(initializer_list<char>);
  string& insert(size_t, const string&);
  string& insert(size_t, size_t, char);
  string& erase(size_t = 0, size_t = npos);
  char& back();
  string(string&&) noexcept;
  ~string();
  string& operator=(const string&);
  string& operator=(string&&) noexcept;
  string& operator=(const char*);
  string& operator+=(const string&);
  string& operator+=(const char*);
  string& operator+=(char);
  string& append(const string&);
  string& append(const char*, size_t);
  string& append(size_t, char);
  string& append(string_view);
  string& operator+=(string_view);
  size_t find_first_not_of(const char*, size_t = 0) const;
  size_t find_first_of(const char*, size_t = 0) const;
  size_t find_last_not_of(const char*, size_t = npos) const;
  char& operator[](size_t);
  const char& operator[](size_t) const;
  const char* c_str() const;
  const char* data() const;
  size_t size() const;
  size_t length() const;
  bool empty() const;
  void clear();
  void reserve(size_t);
  void resize(size_t);
  void push_back(char);
  size_t find(const string&, size_t = 0) const;
  size_t find(char, size_t = 0) const;
  size_t rfind(char, size_t = npos) const;
  string substr(size_t = 0, size_t = npos) const;
  int compare(const string&) const;
  char* begin();
  char* end();
  const char* begin() const;
  const char* end() const;
};
string operator+(const string&, const string&);
string operator+(const string&, const char*);
string operator+(const char*, const string&);
string operator+(const string&, char);
bool operator==(const string&, const string&);
bool operator==(const string&, const char*);
bool operator!=(const string&, const string&);
bool operator!=(const string&, const char*);
bool operator<(const string&, const string&);
string to_string(int);
string to_string(unsigned);
string to_string(long);
string to_string(unsigned long);
string to_string(long long);
string to_string(unsigned long long);
string to_string(double);
long stol(const string&);
int stoi(const string&);
unsigned long stoul(const string&);

class string_view {
 public:
  static const size_t npos = static_cast<size_t>(-1);
  constexpr string_view() : p_(nullptr), n_(0) {}
  constexpr string_view(const char* p) : p_(p), n_(__builtin_strlen(p)) {}
  constexpr string_view(const char* p, size_t n) : p_(p), n_(n) {}
  string_view(const string&);
  size_t size() const;
  bool empty() const;
  const char* data() const;
  char operator[](size_t) const;
  size_t find(char, size_t = 0) const;
  string_view substr(size_t = 0, size_t = npos) const;
  const char* begin() const;
  const char* end() const;

 private:
  const char* p_;
  size_t n_;
};
bool operator==(string_view, string_view);
bool operator!=(string_view, string_view);

template <class A, class B>
struct pair {
  A first;
  B second;
  pair();
  pair(const A& a, const B& b) : first(a), second(b) {}
  template <class U, class V>
  pair(U&& a, V&& b);
};
template <class A, class B>
pair<A, B> make_pair(A a, B b) {
  return pair<A, B>(a, b);
}
template <class... T>
struct tuple {
  tuple();
  tuple(const T&...);
};
template <size_t I, class T>
int& get(T& t);

template <class T>
struct hash {
  size_t operator()(const T&) const;
};
template <class T>
struct less {
  bool operator()(const T& a, const T& b) const { return a < b; }
};

template <class T>
class vector {
 public:
  typedef T* iterator;
  typedef const T* const_iterator;
  typedef T value_type;
  vector();
  vector(initializer_list<T>);
  void swap(vector&);
  const T& at(size_t) const;
  T* insert(const T*, const T&);
  vector(size_t, const T& = T());
  template <class U>
  vector(U, U);
  vector(const vector&);
  vector(vector&&) noexcept;
  ~vector();
  vector& operator=(const vector&);
  vector& operator=(vector&&) noexcept;
  T& operator[](size_t);
  const T& operator[](size_t) const;
  T& at(size_t);
  T& front();
  T& back();
  void push_back(const T&);
  void push_back(T&&);
  template <class... A>
  T& emplace_back(A&&...);
  void pop_back();
  T* begin();
  T* end();
  const T* begin() const;
  const T* end() const;
  T* erase(T*);
  void clear();
  void reserve(size_t);
  void resize(size_t);
  size_t size() const;
  bool empty() const;
  T* data();
};
template <class T>
class deque : public vector<T> {
 public:
  void push_front(const T&);
  void pop_front();
};
template <class T>
class list : public vector<T> {
 public:
  void push_front(const T&);
  void pop_front();
};

template <class K, class V>
struct map_iterator {
  pair<const K, V>& operator*() const;
  pair<const K, V>* operator->() const;
  map_iterator& operator++();
  bool operator==(const map_iterator&) const;
  bool operator!=(const map_iterator&) const;
};
template <class K, class V, class C = less<K>>
class map {
 public:
  typedef map_iterator<K, V> iterator;
  typedef map_iterator<K, V> const_iterator;
  map();
  map(initializer_list<pair<const K, V>>);
  V& operator[](const K&);
  V& at(const K&);
  const V& at(const K&) const;
  iterator find(const K&);
  const_iterator find(const K&) const;
  iterator begin();
  iterator end();
  const_iterator begin() const;
  const_iterator end() const;
  size_t count(const K&) const;
  size_t erase(const K&);
  iterator erase(iterator);
  pair<iterator, bool> insert(const pair<const K, V>&);
  template <class... A>
  pair<iterator, bool> emplace(A&&...);
  template <class... A>
  pair<iterator, bool> try_emplace(const K&, A&&...);
  void clear();
  size_t size() const;
  bool empty() const;
};
template <class K, class V, class H = hash<K>>
class unordered_map : public map<K, V> {};
template <class K, class V>
class multimap : public map<K, V> {};
template <class K>
class set : public map<K, bool> {
 public:
  pair<map_iterator<K, bool>, bool> insert(const K&);
};
template <class K>
class unordered_set : public set<K> {};

template <class T>
class optional {
 public:
  optional();
  optional(const T&);
  optional(struct nullopt_t);
  explicit operator bool() const;
  bool has_value() const;
  T& operator*();
  T* operator->();
  T& value();
  T value_or(const T&) const;
};
struct nullopt_t {
  explicit constexpr nullopt_t(int) {}
};
inline constexpr nullopt_t nullopt{0};

template <class T>
class array_base {};
template <class T, size_t N>
struct array {
  T elems[N ? N : 1];
  T& operator[](size_t i) { return elems[i]; }
  const T& operator[](size_t i) const { return elems[i]; }
  T* begin() { return elems; }
  T* end() { return elems + N; }
  const T* begin() const { return elems; }
  const T* end() const { return elems + N; }
  size_t size() const { return N; }
};

template <class T>
class unique_ptr {
 public:
  unique_ptr();
  explicit unique_ptr(T*);
  unique_ptr(decltype(nullptr));
  unique_ptr(unique_ptr&&) noexcept;
  template <class U>
  unique_ptr(unique_ptr<U>&&);
  ~unique_ptr();
  unique_ptr& operator=(unique_ptr&&) noexcept;
  T* operator->() const;
  T& operator*() const;
  T* get() const;
  void reset(T* = nullptr);
  explicit operator bool() const;
};
template <class T>
class shared_ptr {
 public:
  shared_ptr();
  explicit shared_ptr(T*);
  shared_ptr(decltype(nullptr));
  T* operator->() const;
  T& operator*() const;
  T* get() const;
  void reset();
  explicit operator bool() const;
};
template <class T, class... A>
unique_ptr<T> make_unique(A&&...);
template <class T, class... A>
shared_ptr<T> make_shared(A&&...);

template <class>
class function;
template <class R, class... A>
class function<R(A...)> {
 public:
  function();
  function(decltype(nullptr));
  template <class F>
  function(F) {}
  function(const function&);
  function(function&&) noexcept;
  function& operator=(const function&);
  R operator()(A...) const;
  explicit operator bool() const;
};

enum memory_order {
  memory_order_relaxed,
  memory_order_acquire,
  memory_order_release,
  memory_order_acq_rel,
  memory_order_seq_cst
};
template <class T>
struct atomic {
  atomic();
  constexpr atomic(T);
  T load(memory_order = memory_order_seq_cst) const;
  void store(T, memory_order = memory_order_seq_cst);
  T exchange(T, memory_order = memory_order_seq_cst);
  T fetch_add(T, memory_order = memory_order_seq_cst);
  T fetch_sub(T, memory_order = memory_order_seq_cst);
  bool compare_exchange_strong(T&, T);
  bool compare_exchange_weak(T&, T);
  operator T() const;
  T operator=(T);
  T operator++();
  T operator++(int);
  T operator--();
  T operator--(int);
  T operator+=(T);
  T operator-=(T);
};
struct atomic_flag {
  bool test_and_set();
  void clear();
};

class mutex {
 public:
  mutex();
  ~mutex();
  void lock();
  void unlock();
  bool try_lock();
};
class recursive_mutex : public mutex {};
class timed_mutex : public mutex {};
class shared_mutex : public mutex {
 public:
  void lock_shared();
  void unlock_shared();
};
struct defer_lock_t {};
inline constexpr defer_lock_t defer_lock{};
template <class M>
class lock_guard {
 public:
  explicit lock_guard(M&);
  ~lock_guard();
};
template <class M>
class unique_lock {
 public:
  unique_lock();
  explicit unique_lock(M&);
  unique_lock(M&, defer_lock_t);
  ~unique_lock();
  void lock();
  void unlock();
};
template <class M>
class shared_lock {
 public:
  explicit shared_lock(M&);
  ~shared_lock();
};
template <class... M>
class scoped_lock {
 public:
  explicit scoped_lock(M&...);
  ~scoped_lock();
};
class condition_variable {
 public:
  void notify_one();
  void notify_all();
  template <class L>
  void wait(L&);
};
struct once_flag {
  once_flag();
};
template <class F, class... A>
void call_once(once_flag&, F&& f, A&&...) {
  f();
}

class thread {
 public:
  class id {};
  thread();
  template <class F, class... A>
  explicit thread(F&&, A&&...) {}
  thread(thread&&) noexcept;
  ~thread();
  thread& operator=(thread&&) noexcept;
  void join();
  void detach();
  bool joinable() const;
};
namespace chrono {
template <class R>
struct duration_base {
  R count() const;
};
struct seconds : duration_base<long> {
  seconds(long = 0);
};
struct milliseconds : duration_base<long> {
  milliseconds(long = 0);
  milliseconds(seconds);
};
template <class R, class P = int>
struct duration : duration_base<R> {
  duration(R = 0);
};
struct hours : duration_base<long> {
  hours(long = 0);
};
struct minutes : duration_base<long> {
  minutes(long = 0);
};
struct microseconds : duration_base<long> {
  microseconds(long = 0);
};
struct nanoseconds : duration_base<long> {
  nanoseconds(long = 0);
};
struct time_point {
  nanoseconds time_since_epoch() const;
};
nanoseconds operator-(const time_point&, const time_point&);
template <class To, class From>
To duration_cast(const From&);
struct steady_clock {
  typedef chrono::time_point time_point;
  static time_point now();
};
struct system_clock {
  typedef chrono::time_point time_point;
  static time_point now();
};
}  // namespace chrono
namespace this_thread {
thread::id get_id();
template <class D>
void sleep_for(const D&);
void yield();
}  // namespace this_thread

class random_device {
 public:
  random_device();
  unsigned operator()();
};
template <class U>
class engine {
 public:
  typedef U result_type;
  engine();
  explicit engine(U);
  void seed(U);
  U operator()();
  static constexpr U min() { return 0; }
  static constexpr U max() { return ~U(0); }
};
typedef engine<unsigned> mt19937;
typedef engine<unsigned long> mt19937_64;
typedef engine<unsigned> minstd_rand;
typedef engine<unsigned> default_random_engine;
template <class T>
class uniform_int_distribution {
 public:
  uniform_int_distribution(T = 0, T = ~T(0));
  template <class A, class B>
  uniform_int_distribution(A, B);
  template <class G>
  T operator()(G&);
};
template <class T>
class uniform_real_distribution {
 public:
  uniform_real_distribution(T, T);
  template <class G>
  T operator()(G&);
};

template <class It, class F>
F for_each(It, It, F f) {
  return f;
}
template <class It>
void sort(It, It);
template <class It, class C>
void sort(It, It, C) {}
template <class It, class T>
It find(It, It, const T&);
template <class It, class P>
It find_if(It a, It, P) {
  return a;
}
template <class It, class T>
size_t count(It, It, const T&);
template <class It, class P>
bool any_of(It, It, P) {
  return false;
}
template <class It, class O>
O copy(It, It, O);
template <class C>
struct back_insert_iterator {
  C* c;
};
template <class C>
back_insert_iterator<C> back_inserter(C&);

class ostream {};
class ofstream : public ostream {
 public:
  ofstream();
  explicit ofstream(const char*);
  explicit ofstream(const string&);
};
class ifstream {
 public:
  explicit ifstream(const char*);
};
ostream& operator<<(ostream&, const string&);
ostream& operator<<(ostream&, const char*);
ostream& operator<<(ostream&, long);
extern ostream cout;
extern ostream cerr;
}  // namespace std
