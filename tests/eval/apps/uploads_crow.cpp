// dropbox-lite: file upload service on Crow. Files land in one directory; a janitor thread
// deletes uploads older than a day and keeps the byte counter honest.
#include "crow.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kMaxUpload = 32u * 1024u * 1024u;
const char* const kAllowedTypes[] = {"image/png", "image/jpeg", "application/pdf"};

int g_upload_dir_fd = -1;
std::size_t g_quota_bytes = 0;
std::thread g_janitor;
std::atomic<std::uint64_t> g_bytes_stored{0};
std::mutex g_index_mu;
std::vector<std::string> g_index;
unsigned g_upload_count = 0;
std::string g_last_upload;
unsigned g_rejected = 0;
char g_scratch[64 * 1024];

bool type_allowed(const std::string& type) {
  for (const char* t : kAllowedTypes)
    if (type == t) return true;
  return false;
}

bool valid_name(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name[0] != '.';
}

crow::response store_upload(const std::string& name, const std::string& body) {
  int fd = openat(g_upload_dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
  if (fd < 0) return crow::response(500);
  std::size_t off = 0;
  while (off < body.size()) {
    std::size_t chunk = std::min(sizeof g_scratch, body.size() - off);
    std::memcpy(g_scratch, body.data() + off, chunk);
    if (write(fd, g_scratch, chunk) < 0) {
      close(fd);
      return crow::response(500);
    }
    off += chunk;
  }
  close(fd);
  g_bytes_stored.fetch_add(body.size());
  g_index_mu.lock();
  g_index.push_back(name);
  ++g_upload_count;
  g_index_mu.unlock();
  g_last_upload = name;
  return crow::response(201);
}

void janitor_pass() {
  auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(24);
  std::lock_guard<std::mutex> lk(g_index_mu);
  for (auto it = g_index.begin(); it != g_index.end();) {
    struct stat st {};
    if (fstatat(g_upload_dir_fd, it->c_str(), &st, 0) == 0 &&
        std::chrono::system_clock::from_time_t(st.st_mtime) < cutoff) {
      unlinkat(g_upload_dir_fd, it->c_str(), 0);
      g_bytes_stored.fetch_sub(static_cast<std::uint64_t>(st.st_size));
      it = g_index.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace

int main() {
  const char* quota = std::getenv("UPLOAD_QUOTA_BYTES");
  g_quota_bytes = quota != nullptr ? std::strtoull(quota, nullptr, 10) : (1ull << 34);
  g_upload_dir_fd = open("/srv/uploads", O_RDONLY | O_DIRECTORY);
  g_janitor = std::thread([] {
    for (;;) {
      janitor_pass();
      std::this_thread::sleep_for(std::chrono::minutes(10));
    }
  });

  crow::SimpleApp app;

  CROW_ROUTE(app, "/upload/<string>").methods("PUT"_method)([](const crow::request& req, std::string name) {
    if (!valid_name(name) || !type_allowed(req.get_header_value("Content-Type")) ||
        req.body.size() > kMaxUpload || g_bytes_stored.load() + req.body.size() > g_quota_bytes) {
      ++g_rejected;
      return crow::response(413);
    }
    return store_upload(name, req.body);
  });

  CROW_ROUTE(app, "/files")([] {
    std::string out;
    std::lock_guard<std::mutex> lk(g_index_mu);
    for (const auto& n : g_index) out += n + "\n";
    return crow::response(200, out);
  });

  CROW_ROUTE(app, "/stats")([] {
    return crow::response(200, "uploads=" + std::to_string(g_upload_count) + " rejected=" +
                                   std::to_string(g_rejected) + " last=" + g_last_upload +
                                   " bytes=" + std::to_string(g_bytes_stored.load()));
  });

  app.port(8081).multithreaded().run();
  g_janitor.join();
}
