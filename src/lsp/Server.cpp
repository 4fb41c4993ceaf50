// The server loop: a reader thread frames and parses messages, the main thread handles them in
// order and runs the analysis.
//
// The reader only queues: it answers nothing itself except malformed input (a parse error has no
// request to wait behind), and it records $/cancelRequest at once, so a request still queued
// behind a running analysis is answered RequestCancelled when its turn comes. The main thread
// waits for the next message or for the analysis deadline: didOpen and didSave analyse at once,
// didChange after `debounceMs` without further changes, so a burst of edits is analysed once and
// with the last text. Before analysing, every message already queued is handled first, so the
// analysis never works on text the editor has already replaced. After an analysis, each open
// document whose diagnostics changed (or whose version did) gets a publishDiagnostics: an edit to
// a header re-publishes the other open files it affects.
#include "lsp/Server.h"

#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "lsp/Diagnostics.h"
#include "lsp/DocumentStore.h"
#include "lsp/Transport.h"

namespace forksafe::lsp {
namespace {

using Clock = std::chrono::steady_clock;
namespace json = llvm::json;

// Messages from the reader thread to the main thread.
class Inbox {
 public:
  void push(std::vector<json::Value>& messages) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (json::Value& m : messages) queue_.push_back(std::move(m));
    messages.clear();
    ready_.notify_one();
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    ready_.notify_one();
  }
  // The next message, waiting until `deadline` (none: forever). nullopt on timeout or when the
  // input ended and nothing is left (`ended` tells which).
  std::optional<json::Value> pop(std::optional<Clock::time_point> deadline, bool& ended) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto ready = [&] { return !queue_.empty() || closed_; };
    if (deadline)
      ready_.wait_until(lock, *deadline, ready);
    else
      ready_.wait(lock, ready);
    ended = queue_.empty() && closed_;
    if (queue_.empty()) return std::nullopt;
    json::Value message = std::move(queue_.front());
    queue_.pop_front();
    return message;
  }
  bool empty() {
    std::lock_guard<std::mutex> lock(mutex_);
    return queue_.empty();
  }
  void cancel(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    cancelled_.insert(id);
  }
  bool takeCancelled(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return cancelled_.erase(id) != 0;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<json::Value> queue_;
  std::set<std::string> cancelled_;
  bool closed_ = false;
};

// A request id as a set key ("n:3", "s:abc").
std::string idKey(const json::Value& id) {
  if (auto n = id.getAsInteger()) return "n:" + std::to_string(*n);
  if (auto s = id.getAsString()) return "s:" + s->str();
  return "";
}

json::Value errorResponse(json::Value id, ErrorCode code, const std::string& message) {
  return json::Object{
      {"jsonrpc", "2.0"},
      {"id", std::move(id)},
      {"error", json::Object{{"code", static_cast<int>(code)}, {"message", message}}}};
}

std::string readDisk(const std::string& path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

class Server {
 public:
  Server(const ServerOptions& options, Transport& transport, llvm::raw_ostream& log)
      : options_(options), transport_(transport), log_(log), workspace_(options.workspace) {}

  // Returns the exit status once `exit` arrives or the input ends.
  int serve(Inbox& inbox) {
    for (;;) {
      bool ended = false;
      auto message = inbox.pop(deadline_, ended);
      if (ended) {
        logLine("the client closed the connection without 'exit'");
        return 1;
      }
      if (message) {
        if (std::optional<int> status = handle(*message, inbox)) return *status;
        continue;
      }
      // The deadline passed: first catch up with everything already sent, then analyse.
      while (!inbox.empty()) {
        auto next = inbox.pop(Clock::now(), ended);
        if (!next) break;
        if (std::optional<int> status = handle(*next, inbox)) return *status;
      }
      if (deadline_ && Clock::now() >= *deadline_) analyse();
    }
  }

 private:
  void logLine(const std::string& line) {
    log_ << "forksafe-check --lsp: " << line << "\n";
    log_.flush();
  }

  void reply(const json::Value& id, json::Value result) {
    transport_.send(json::Object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
  }
  void notify(llvm::StringRef method, json::Value params) {
    transport_.send(
        json::Object{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }

  void schedule(std::chrono::milliseconds delay) {
    Clock::time_point at = Clock::now() + delay;
    // A pending immediate analysis is not postponed by a later change.
    if (!deadline_ || delay.count() > 0 || at < *deadline_) deadline_ = at;
  }

  // Returns an exit status when the server must stop.
  std::optional<int> handle(const json::Value& message, Inbox& inbox) {
    const json::Object* object = message.getAsObject();
    if (!object) {
      transport_.send(errorResponse(nullptr, ErrorCode::InvalidRequest, "not a JSON object"));
      return std::nullopt;
    }
    const json::Value* id = object->get("id");
    auto method = object->getString("method");
    if (!method) {
      if (id) return std::nullopt;  // a response to one of our requests: nothing to do
      transport_.send(
          errorResponse(nullptr, ErrorCode::InvalidRequest, "message without 'method'"));
      return std::nullopt;
    }
    if (id && idKey(*id).empty()) {
      transport_.send(errorResponse(nullptr, ErrorCode::InvalidRequest,
                                    "request id must be a number or string"));
      return std::nullopt;
    }
    const json::Value null = nullptr;
    const json::Value& params = object->get("params") ? *object->get("params") : null;
    if (id) {
      if (inbox.takeCancelled(idKey(*id))) {
        transport_.send(errorResponse(*id, ErrorCode::RequestCancelled, "request cancelled"));
        return std::nullopt;
      }
      request(*id, *method, params);
      return std::nullopt;
    }
    return notification(*method, params);
  }

  void request(const json::Value& id, llvm::StringRef method, const json::Value& params) {
    if (method == "initialize") {
      if (initialized_) {
        transport_.send(errorResponse(id, ErrorCode::InvalidRequest, "initialize sent twice"));
        return;
      }
      initialized_ = true;
      reply(id, initialize(params));
      return;
    }
    if (!initialized_) {
      transport_.send(errorResponse(id, ErrorCode::ServerNotInitialized,
                                    "'" + method.str() + "' before 'initialize'"));
      return;
    }
    if (shutdown_) {
      transport_.send(
          errorResponse(id, ErrorCode::InvalidRequest, "'" + method.str() + "' after 'shutdown'"));
      return;
    }
    if (method == "shutdown") {
      shutdown_ = true;
      reply(id, nullptr);
    } else if (method == "textDocument/codeAction") {
      codeAction(id, params);
    } else {
      transport_.send(
          errorResponse(id, ErrorCode::MethodNotFound, "unknown method '" + method.str() + "'"));
    }
  }

  std::optional<int> notification(llvm::StringRef method, const json::Value& params) {
    if (method == "exit") return shutdown_ ? 0 : 1;
    if (!initialized_ || shutdown_) return std::nullopt;  // dropped, as the protocol says
    const json::Object* p = params.getAsObject();
    if (method == "initialized" || method.starts_with("$/")) return std::nullopt;
    if (!p) {
      logLine("'" + method.str() + "' without params object");
      return std::nullopt;
    }
    const json::Object* doc = p->getObject("textDocument");
    auto uri = doc ? doc->getString("uri") : std::nullopt;
    if (method == "workspace/didChangeWatchedFiles") {
      watchedFiles(*p);
      return std::nullopt;
    }
    if (method == "workspace/didChangeConfiguration") return std::nullopt;
    if (!method.starts_with("textDocument/")) {
      logLine("ignoring unknown notification '" + method.str() + "'");
      return std::nullopt;
    }
    if (!uri) {
      logLine("'" + method.str() + "' without textDocument.uri");
      return std::nullopt;
    }
    if (method == "textDocument/didOpen") {
      auto path = uriToPath(*uri);
      auto text = doc->getString("text");
      if (!path || !text) {
        logLine("cannot open '" + uri->str() + "': " + (path ? "no text" : "not a file URI"));
        return std::nullopt;
      }
      llvm::SmallString<256> clean(*path);
      llvm::sys::path::remove_dots(clean, true);
      documents_.open(
          {uri->str(), std::string(clean), doc->getInteger("version").value_or(0), text->str()});
      schedule(std::chrono::milliseconds(0));
    } else if (method == "textDocument/didChange") {
      const json::Array* changes = p->getArray("contentChanges");
      std::string error =
          changes ? documents_.change(uri->str(), doc->getInteger("version").value_or(0), *changes,
                                      encoding_)
                  : "didChange without contentChanges";
      if (!error.empty()) {
        logLine(error);
        return std::nullopt;
      }
      schedule(std::chrono::milliseconds(options_.debounceMs));
    } else if (method == "textDocument/didSave") {
      if (const Document* d = documents_.find(uri->str())) workspace_.changedOnDisk(d->path);
      schedule(std::chrono::milliseconds(0));
    } else if (method == "textDocument/didClose") {
      if (const Document* d = documents_.find(uri->str())) {
        published_.erase(d->path);
        analysed_.erase(d->path);
        notify("textDocument/publishDiagnostics",
               json::Object{{"uri", d->uri}, {"diagnostics", json::Array{}}});
        documents_.close(uri->str());
        schedule(std::chrono::milliseconds(0));  // the disk text replaces the buffer's
      }
    }
    return std::nullopt;
  }

  json::Value initialize(const json::Value& params) {
    const json::Object* p = params.getAsObject();
    const json::Object* caps = p ? p->getObject("capabilities") : nullptr;
    if (caps) {
      if (const json::Object* window = caps->getObject("window"))
        progress_ = window->getBoolean("workDoneProgress").value_or(false);
      if (const json::Object* general = caps->getObject("general"))
        if (const json::Array* encodings = general->getArray("positionEncodings"))
          for (const json::Value& e : *encodings)
            if (e.getAsString() == "utf-8") encoding_ = Encoding::Utf8;
      if (const json::Object* workspace = caps->getObject("workspace"))
        if (const json::Object* watched = workspace->getObject("didChangeWatchedFiles"))
          watchRegistration_ = watched->getBoolean("dynamicRegistration").value_or(false);
    }
    json::Object capabilities{
        {"positionEncoding", encoding_ == Encoding::Utf8 ? "utf-8" : "utf-16"},
        {"textDocumentSync", json::Object{{"openClose", true},
                                          {"change", 2},  // incremental
                                          {"save", json::Object{{"includeText", false}}}}},
        {"codeActionProvider", json::Object{{"codeActionKinds", json::Array{"quickfix"}}}},
    };
    if (watchRegistration_) {
      // Asked right away; the client answers once `initialized` is through.
      transport_.send(json::Object{
          {"jsonrpc", "2.0"},
          {"id", "forksafe-watch"},
          {"method", "client/registerCapability"},
          {"params", json::Object{{"registrations",
                                   json::Array{json::Object{
                                       {"id", "forksafe-watch"},
                                       {"method", "workspace/didChangeWatchedFiles"},
                                       {"registerOptions", json::Object{{"watchers", watchers()}}},
                                   }}}}},
      });
    }
    return json::Object{
        {"capabilities", std::move(capabilities)},
        {"serverInfo", json::Object{{"name", "forksafe-check"}, {"version", options_.version}}},
    };
  }

  // What the client reports changes of: the configuration, the databases, and sources and
  // headers changed outside the editor (a checkout), whose dependent units are parsed again.
  static json::Array watchers() {
    json::Array list;
    for (const char* glob : {"**/.forksafe.yaml", "**/compile_commands.json",
                             "**/*.{c,cc,cpp,cxx,c++,h,hh,hpp,hxx,inc,ipp}"})
      list.push_back(json::Object{{"globPattern", glob}});
    return list;
  }

  void watchedFiles(const json::Object& params) {
    const json::Array* changes = params.getArray("changes");
    if (!changes) return;
    for (const json::Value& change : *changes) {
      const json::Object* c = change.getAsObject();
      auto uri = c ? c->getString("uri") : std::nullopt;
      auto path = uri ? uriToPath(*uri) : std::nullopt;
      if (!path) continue;
      workspace_.changedOnDisk(*path);
    }
    if (!documents_.all().empty()) schedule(std::chrono::milliseconds(0));
  }

  // The text an analysis saw for a file: its open buffer (as analysed), else the disk.
  std::string textOf(const std::string& path) {
    auto it = analysed_.find(path);
    if (it != analysed_.end()) return it->second.text;
    if (const Document* d = documents_.findPath(path)) return d->text;
    return readDisk(path);
  }

  void analyse() {
    deadline_.reset();
    std::map<std::string, std::string> overlay;
    std::vector<std::string> files;
    std::map<std::string, Document> snapshot;
    for (const Document* d : documents_.all()) {
      overlay[d->path] = d->text;
      files.push_back(d->path);
      snapshot[d->path] = *d;
    }
    if (files.empty()) return;
    ProgressSink sink;
    if (progress_) {
      std::string token = "forksafe-analysis-" + std::to_string(++progressTokens_);
      sink.begin = [this, token](const std::string& title, size_t total) {
        transport_.send(json::Object{{"jsonrpc", "2.0"},
                                     {"id", token},
                                     {"method", "window/workDoneProgress/create"},
                                     {"params", json::Object{{"token", token}}}});
        notify("$/progress",
               json::Object{{"token", token},
                            {"value", json::Object{{"kind", "begin"},
                                                   {"title", title},
                                                   {"message", std::to_string(total) + " files"},
                                                   {"percentage", 0}}}});
      };
      sink.report = [this, token](size_t done, size_t total, const std::string& file) {
        notify("$/progress",
               json::Object{
                   {"token", token},
                   {"value",
                    json::Object{{"kind", "report"},
                                 {"message", std::to_string(done) + "/" + std::to_string(total) +
                                                 " " + llvm::sys::path::filename(file).str()},
                                 {"percentage", total ? done * 100 / total : 100}}}});
      };
      sink.end = [this, token] {
        notify("$/progress",
               json::Object{{"token", token}, {"value", json::Object{{"kind", "end"}}}});
      };
    }
    WorkspaceResult result = workspace_.analyze(overlay, files, sink);
    for (const std::string& line : result.log) logLine(line);
    for (auto& [path, document] : snapshot) {
      analysed_[path] = document;
      findings_[path] = std::move(result.findings[path]);
    }
    for (auto& [path, document] : snapshot) {
      json::Array diagnostics;
      for (const Finding& f : findings_[path])
        diagnostics.push_back(toDiagnostic(
            f, path, document.text, [this](const std::string& p) { return textOf(p); }, encoding_));
      std::string text;
      llvm::raw_string_ostream os(text);
      os << json::Value(json::Array(diagnostics));
      os.flush();
      auto& last = published_[path];
      if (last.first == document.version && last.second == text) continue;
      last = {document.version, text};
      notify("textDocument/publishDiagnostics",
             json::Object{{"uri", document.uri},
                          {"version", document.version},
                          {"diagnostics", std::move(diagnostics)}});
    }
  }

  void codeAction(const json::Value& id, const json::Value& params) {
    const json::Object* p = params.getAsObject();
    const json::Object* doc = p ? p->getObject("textDocument") : nullptr;
    auto uri = doc ? doc->getString("uri") : std::nullopt;
    const json::Object* range = p ? p->getObject("range") : nullptr;
    Position start, end;
    if (!uri || !range || !fromJson(range->get("start"), start) ||
        !fromJson(range->get("end"), end)) {
      transport_.send(errorResponse(id, ErrorCode::InvalidParams,
                                    "codeAction needs textDocument.uri and range"));
      return;
    }
    json::Array actions;
    const Document* d = documents_.find(uri->str());
    auto analysed = d ? analysed_.find(d->path) : analysed_.end();
    if (analysed != analysed_.end()) {
      const std::string& text = analysed->second.text;
      auto textOfFn = [this](const std::string& path) { return textOf(path); };
      for (const Finding& f : findings_[d->path]) {
        if (!overlaps(f, d->path, text, start, end, encoding_)) continue;
        json::Object diagnostic = toDiagnostic(f, d->path, text, textOfFn, encoding_);
        for (json::Value& action : codeActions(f, diagnostic, textOfFn, encoding_))
          actions.push_back(std::move(action));
      }
    }
    reply(id, std::move(actions));
  }

  const ServerOptions& options_;
  Transport& transport_;
  llvm::raw_ostream& log_;
  Workspace workspace_;
  DocumentStore documents_;
  bool initialized_ = false;
  bool shutdown_ = false;
  bool progress_ = false;
  bool watchRegistration_ = false;
  Encoding encoding_ = Encoding::Utf16;
  std::optional<Clock::time_point> deadline_;
  size_t progressTokens_ = 0;
  std::map<std::string, Document> analysed_;              // open documents as last analysed
  std::map<std::string, std::vector<Finding>> findings_;  // of the last analysis, by file
  std::map<std::string, std::pair<int64_t, std::string>> published_;  // version, diagnostics
};

// The reader thread's loop: frames and JSON in, queued messages (or error responses) out. What
// arrived together is queued together, after the cancellations among it are recorded, so a
// request cancelled in the same write is never started.
void readMessages(Transport& transport, Inbox& inbox, llvm::raw_ostream& log) {
  std::string body, error;
  std::vector<json::Value> batch;
  for (;;) {
    if (!batch.empty() && !transport.buffered()) inbox.push(batch);
    Transport::Read status = transport.read(body, error);
    if (status == Transport::Read::End) break;
    if (status == Transport::Read::BadFrame) {
      log << "forksafe-check --lsp: " << error << "\n";
      log.flush();
      continue;
    }
    llvm::Expected<json::Value> message = json::parse(body);
    if (!message) {
      std::string why = llvm::toString(message.takeError());
      log << "forksafe-check --lsp: cannot parse message: " << why << "\n";
      log.flush();
      transport.send(errorResponse(nullptr, ErrorCode::ParseError, "cannot parse message: " + why));
      continue;
    }
    if (const json::Object* o = message->getAsObject()) {
      if (o->getString("method") == "$/cancelRequest") {
        const json::Object* params = o->getObject("params");
        if (const json::Value* id = params ? params->get("id") : nullptr) inbox.cancel(idKey(*id));
        continue;
      }
    }
    batch.push_back(std::move(*message));
  }
  inbox.push(batch);
  inbox.close();
}

}  // namespace

int runServer(const ServerOptions& options, int input, llvm::raw_ostream& output,
              llvm::raw_ostream& log) {
  // Shared with the reader thread, which blocks in read(2) until the client closes its end: at
  // `exit` it is left behind (detached) and ends with the process, so it must not outlive them.
  auto transport = std::make_shared<Transport>(input, output);
  auto inbox = std::make_shared<Inbox>();
  std::thread reader([transport, inbox, &log] { readMessages(*transport, *inbox, log); });
  reader.detach();
  Server server(options, *transport, log);
  return server.serve(*inbox);
}

}  // namespace forksafe::lsp
