// Stable ids, absolute locations and the registry of static-storage variables for one TU.
#include "facts/CollectorContext.h"

#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Index/USRGeneration.h>
#include <clang/Lex/Lexer.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include "config/Frameworks.h"
#include "facts/TypeClassify.h"

namespace forksafe {
namespace {

bool hasAnnotation(const clang::Decl* decl, llvm::StringRef what) {
  for (const clang::Decl* redecl : decl->redecls())
    for (const auto* attr : redecl->specific_attrs<clang::AnnotateAttr>())
      if (attr->getAnnotation() == what) return true;
  return false;
}

// A class marked FORKSAFE_SHARED_TYPE (forksafe::shared::Counter and Map, or a user's own) keeps
// its state where every worker sees it and synchronises its own updates.
bool isSharedStoreType(clang::QualType type) {
  if (type.isNull()) return false;
  while (const auto* array = type->getAsArrayTypeUnsafe()) type = array->getElementType();
  const auto* record = type->getAsCXXRecordDecl();
  return record && hasAnnotation(record, "forksafe::shared_type");
}

// Which forksafe::shared type would hold this state for every worker (see VariableFact).
std::string sharedTypeFor(clang::QualType type) {
  clang::QualType pointee = pointeeType(type);
  if (!pointee.isNull()) type = pointee;
  if (const auto* atomic = type->getAs<clang::AtomicType>()) type = atomic->getValueType();
  if (const auto* spec = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(
          type->getAsCXXRecordDecl());
      spec && recordName(type) == "std::atomic" && spec->getTemplateArgs().size() == 1 &&
      spec->getTemplateArgs()[0].getKind() == clang::TemplateArgument::Type)
    type = spec->getTemplateArgs()[0].getAsType();
  if (type->isIntegerType() && !type->isBooleanType() && !type->isAnyCharacterType())
    return "Counter";
  std::string name = recordName(type);
  if (name == "std::map" || name == "std::unordered_map") return "Map";
  return "";
}

}  // namespace

CollectorContext::CollectorContext(clang::ASTContext& ast, std::vector<llvm::Regex> patterns,
                                   const FrameworkIndex& frameworks)
    : ast_(ast),
      sm_(ast.getSourceManager()),
      handlerPatterns_(std::move(patterns)),
      mangler_(clang::ItaniumMangleContext::create(ast, ast.getDiagnostics())),
      frameworks_(frameworks),
      fixSites_(ast) {
  for (const std::string& p : frameworks.headerPatterns()) frameworkHeaders_.emplace_back(p);
  for (const std::string& call : multiProcessCalls(builtinFrameworks()))
    multiProcessCalls_.insert(call);
  if (auto entry = sm_.getFileEntryRefForID(sm_.getMainFileID()))
    facts_.mainFile = location(sm_.getLocForStartOfFile(sm_.getMainFileID())).file;
}

CollectorContext::~CollectorContext() = default;

Location CollectorContext::location(clang::SourceLocation loc) {
  Location out;
  if (loc.isInvalid()) return out;
  clang::SourceLocation fileLoc = sm_.getFileLoc(loc);
  clang::FileID fid = sm_.getFileID(fileLoc);
  auto cached = filePaths_.find(fid);
  if (cached == filePaths_.end()) {
    std::string path;
    if (auto entry = sm_.getFileEntryRefForID(fid)) {
      llvm::SmallString<256> buf(entry->getName());
      sm_.getFileManager().makeAbsolutePath(buf);  // relative to the compile command's directory
      llvm::sys::path::remove_dots(buf, /*remove_dot_dot=*/true);
      path = std::string(buf);
    }
    if (!path.empty() && clang::SrcMgr::isSystem(sm_.getFileCharacteristic(fileLoc)))
      systemHeaders_.insert(path);
    cached = filePaths_.try_emplace(fid, std::move(path)).first;
  }
  out.file = cached->second;
  out.line = sm_.getSpellingLineNumber(fileLoc);
  out.column = sm_.getSpellingColumnNumber(fileLoc);
  return out;
}

bool CollectorContext::isInSystemHeader(clang::SourceLocation loc) {
  return loc.isValid() && sm_.isInSystemHeader(sm_.getFileLoc(loc));
}

bool CollectorContext::isInSystemHeader(const clang::Decl* decl) {
  return isInSystemHeader(decl->getLocation());
}

bool CollectorContext::isLibrary(clang::SourceLocation loc) {
  if (loc.isInvalid()) return false;
  if (isInSystemHeader(loc)) return true;
  if (frameworkHeaders_.empty()) return false;
  clang::FileID fid = sm_.getFileID(sm_.getFileLoc(loc));
  auto cached = libraryFiles_.find(fid);
  if (cached != libraryFiles_.end()) return cached->second;
  std::string file = location(loc).file;
  bool library = false;
  for (const llvm::Regex& re : frameworkHeaders_) library |= re.match(file);
  libraryFiles_.try_emplace(fid, library);
  return library;
}

std::string CollectorContext::usr(const clang::Decl* decl) {
  llvm::SmallString<128> buf;
  if (clang::index::generateUSRForDecl(decl, buf)) {
    Location loc = location(decl->getLocation());
    return "loc:" + loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
  }
  return std::string(buf);
}

std::string CollectorContext::functionId(const clang::FunctionDecl* fn) {
  fn = fn->getCanonicalDecl();
  auto it = functionIds_.find(fn);
  if (it != functionIds_.end()) return it->second;
  std::string id = usr(fn);
  // Every program has its own main(): keep them apart when several programs are linked.
  if (fn->isMain()) id += "@" + facts_.mainFile;
  functionIds_.try_emplace(fn, id);
  return id;
}

std::string CollectorContext::functionName(const clang::FunctionDecl* fn) {
  if (const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(fn)) {
    if (method->getParent()->isLambda()) {
      Location loc = location(method->getParent()->getBeginLoc());
      return "lambda at " + std::string(llvm::sys::path::filename(loc.file)) + ":" +
             std::to_string(loc.line) + ":" + std::to_string(loc.column);
    }
  }
  std::string name;
  llvm::raw_string_ostream os(name);
  clang::PrintingPolicy policy(ast_.getLangOpts());
  policy.SuppressUnwrittenScope = true;
  policy.SuppressTemplateArgsInCXXConstructors = true;
  fn->printQualifiedName(os, policy);
  if (const auto* args = fn->getTemplateSpecializationArgs()) {
    os << '<';
    for (unsigned i = 0; i < args->size(); ++i) {
      if (i) os << ", ";
      args->get(i).print(policy, os, /*IncludeType=*/false);
    }
    os << '>';
  }
  os << "()";
  return name;
}

std::string CollectorContext::mangledName(const clang::VarDecl* var) {
  if (!mangler_->shouldMangleDeclName(var)) return var->getName().str();
  std::string out;
  llvm::raw_string_ostream os(out);
  mangler_->mangleName(clang::GlobalDecl(var), os);
  return out;
}

const VariableFact* CollectorContext::variable(const clang::VarDecl* var) {
  if (!var) return nullptr;
  var = var->getCanonicalDecl();
  auto known = variables_.find(var);
  if (known != variables_.end())
    return known->second < 0 ? nullptr : &facts_.variables[known->second];

  const clang::VarDecl* def = var->getDefinition();
  const clang::VarDecl* shown = def ? def : var;
  bool tracked = var->hasGlobalStorage() && !llvm::isa<clang::ParmVarDecl>(var) &&
                 !var->isInvalidDecl() && !var->getDeclContext()->isDependentContext() &&
                 (trackSystemVariables_ || !isInSystemHeader(shown)) && !var->isTemplated();
  if (!tracked) {
    variables_.try_emplace(var, -1);
    return nullptr;
  }
  VariableFact fact;
  fact.id = usr(var);
  if (const auto* fn = var->isLocalVarDecl() ? llvm::dyn_cast_or_null<clang::FunctionDecl>(
                                                   var->getParentFunctionOrMethod())
                                             : nullptr) {
    fact.name = functionName(fn) + "::" + var->getName().str();  // "Handle()::calls"
  } else {
    llvm::raw_string_ostream os(fact.name);
    var->printQualifiedName(os, clang::PrintingPolicy(ast_.getLangOpts()));
  }
  fact.mangled = mangledName(var);
  fact.loc = location(shown->getLocation());
  fact.isDefinition = def != nullptr;
  clang::QualType type = var->getType();
  fact.isConst = var->isConstexpr() || type.isConstQualified();
  fact.isThreadLocal = var->getTLSKind() != clang::VarDecl::TLS_None;
  fact.isAtomic = isAtomicType(type);
  // A shared store is neither per-worker state nor raced on: like a mutex, never state.
  fact.isSync = isSyncType(type) || isSharedStoreType(type.getNonReferenceType());
  fact.isRng = isRngType(type);
  fact.containsRng = containsRngEngine(type);
  fact.isPerWorker = hasAnnotation(var, "forksafe::per_worker");
  fact.isStaticMember = var->isStaticDataMember();
  fact.isPointer = type->isPointerType() ||
                   (type->isArrayType() && ast_.getBaseElementType(type)->isPointerType());
  fact.isReference = type->isReferenceType();
  fact.isSmartPointer = isSmartPointerType(type);
  if (clang::QualType pointee = pointeeType(type); !pointee.isNull()) {
    fact.pointeeSync = isSyncType(pointee) || isSharedStoreType(pointee);
    fact.pointeeRng = isRngType(pointee);
  }
  fact.library = isLibrary(shown->getLocation());
  fact.sharedType = sharedTypeFor(type);
  if (fact.isReference) {
    // A reference is never reseated: the variable is what it refers to, see Base::pointee.
    fact.isConst = true;
    fact.isSync = fact.isRng = fact.containsRng = fact.isAtomic = false;
  }
  if (var->isLocalVarDecl()) {
    if (const auto* fn =
            llvm::dyn_cast_or_null<clang::FunctionDecl>(var->getParentFunctionOrMethod()))
      fact.enclosingFunction = functionId(fn);
  }
  fixSites_.collect(*shown, fact);
  shownDecls_.emplace_back(shown, facts_.variables.size());
  variables_.try_emplace(var, static_cast<int>(facts_.variables.size()));
  variableIds_.try_emplace(fact.id, facts_.variables.size());
  facts_.variables.push_back(std::move(fact));
  return &facts_.variables.back();
}

const VariableFact* CollectorContext::variableById(const std::string& id) const {
  auto it = variableIds_.find(id);
  return it == variableIds_.end() ? nullptr : &facts_.variables[it->second];
}

bool CollectorContext::addFunction(const clang::FunctionDecl* fn) {
  if (functionIndex_.count(fn)) return false;
  FunctionFact fact;
  fact.id = functionId(fn);
  fact.name = functionName(fn);
  fact.loc = location(fn->getLocation());
  fact.signature = signatureOf(*fn);
  fact.library = isLibrary(fn->getLocation());
  functionIndex_.try_emplace(fn, facts_.functions.size());
  facts_.functions.push_back(std::move(fact));
  functionDecls_.push_back(fn);
  return true;
}

void CollectorContext::markRoot(const std::string& functionId, RootKind role,
                                const std::string& framework, const std::string& display) {
  auto [it, inserted] = passedRoots_.try_emplace(functionId, PassedRoot{role, framework, display});
  if (inserted) return;
  PassedRoot& known = it->second;
  if (role == RootKind::Handler && known.role != RootKind::Handler)
    known = {role, framework, display};
  if (known.role == role && known.display.empty() && !display.empty()) {
    known.display = display;
    known.framework = framework;
  }
}

std::string CollectorContext::plainQualifiedName(const clang::NamedDecl* decl) {
  std::string out = decl->getDeclName().getAsString();
  for (const clang::DeclContext* dc = decl->getDeclContext(); dc && !dc->isTranslationUnit();
       dc = dc->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(dc)) {
      if (ns->isInline() || ns->isAnonymousNamespace()) continue;
      out = ns->getName().str() + "::" + out;
    } else if (const auto* rec = llvm::dyn_cast<clang::RecordDecl>(dc)) {
      if (rec->getIdentifier()) out = rec->getName().str() + "::" + out;
    } else if (llvm::isa<clang::FunctionDecl>(dc)) {
      break;  // a local class: no framework names it
    }
  }
  return out;
}

std::optional<CollectorContext::MacroUse> CollectorContext::macroUse(clang::SourceLocation loc) {
  if (!loc.isMacroID()) return std::nullopt;
  clang::CharSourceRange range = sm_.getExpansionRange(loc);
  if (range.getBegin().isMacroID() || range.getEnd().isMacroID()) return std::nullopt;
  bool invalid = false;
  llvm::StringRef text = clang::Lexer::getSourceText(range, sm_, ast_.getLangOpts(), &invalid);
  if (invalid) return std::nullopt;
  size_t open = text.find('(');
  if (open == llvm::StringRef::npos || !text.ends_with(")")) return std::nullopt;
  MacroUse use;
  use.name = text.substr(0, open).trim().str();
  // Split the arguments at top-level commas, skipping string and character literals.
  llvm::StringRef args = text.substr(open + 1, text.size() - open - 2);
  int depth = 0;
  std::string current;
  for (size_t i = 0; i < args.size(); ++i) {
    char c = args[i];
    if (c == '"' || c == '\'') {
      size_t j = i + 1;
      while (j < args.size() && args[j] != c) j += args[j] == '\\' ? 2 : 1;
      current += args.substr(i, j + 1 - i).str();
      i = j;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      use.args.push_back(llvm::StringRef(current).trim().str());
      current.clear();
      continue;
    }
    current += c;
  }
  if (!llvm::StringRef(current).trim().empty() || !use.args.empty())
    use.args.push_back(llvm::StringRef(current).trim().str());
  return use;
}

llvm::StringRef CollectorContext::macroName(clang::SourceLocation loc) {
  if (!loc.isMacroID()) return "";
  clang::SourceLocation at = sm_.getExpansionLoc(loc);
  unsigned length = clang::Lexer::MeasureTokenLength(at, sm_, ast_.getLangOpts());
  bool invalid = false;
  const char* data = sm_.getCharacterData(at, &invalid);
  return invalid ? llvm::StringRef() : llvm::StringRef(data, length);
}

bool CollectorContext::isInFrameworkHeader(const std::string& file) {
  if (frameworkHeaders_.empty() || file.empty()) return false;
  auto [it, inserted] = inFrameworkHeader_.try_emplace(file, false);
  if (inserted)
    for (const llvm::Regex& re : frameworkHeaders_)
      if (re.match(file)) it->second = true;
  return it->second;
}

std::string unquoteArgument(const std::string& arg) {
  llvm::StringRef s(arg);
  if (s.size() < 2 || !s.starts_with("\"") || !s.ends_with("\"")) return "";
  return s.substr(1, s.size() - 2).str();
}

std::string handlerDisplay(const std::string& method, const std::string& route) {
  if (route.empty()) return "";
  return method.empty() ? route : method + " " + route;
}

void CollectorContext::finishFixes() {
  std::vector<std::pair<const clang::VarDecl*, VariableFact*>> vars;
  for (const auto& [decl, index] : shownDecls_) vars.emplace_back(decl, &facts_.variables[index]);
  decideAtomicFixes(ast_, vars);
}

void CollectorContext::finishRoots() {
  facts_.addressTaken.assign(addressTaken_.begin(), addressTaken_.end());
  facts_.systemHeaders.assign(systemHeaders_.begin(), systemHeaders_.end());
  for (const clang::FunctionDecl* fn : functionDecls_) {
    FunctionFact& fact = facts_.functions[functionIndex_.lookup(fn)];
    auto passed = passedRoots_.find(fact.id);
    RootKind role = passed == passedRoots_.end() ? RootKind::None : passed->second.role;
    if (passed != passedRoots_.end()) {
      fact.display = passed->second.display;
      fact.framework = passed->second.framework;
    }
    // A function a framework macro defines: oat++'s ENDPOINT("GET", "/x", name, ...).
    if (fn->getLocation().isMacroID() && frameworks_.macros(macroName(fn->getLocation()))) {
      if (auto use = macroUse(fn->getLocation())) {
        if (const auto* macros = frameworks_.macros(use->name)) {
          for (const FrameworkIndex::Macro& m : *macros) {
            if (!m.entry->defines) continue;
            auto arg = [&](std::optional<int> i) {
              return i && static_cast<size_t>(*i) < use->args.size() ? use->args[*i] : "";
            };
            std::string method = m.entry->method;
            if (std::string named = unquoteArgument(arg(m.entry->methodArg)); !named.empty())
              method = named;
            role = RootKind::Handler;
            fact.framework = m.framework->name;
            fact.display = handlerDisplay(method, unquoteArgument(arg(m.entry->route)));
            frameworksSeen_.insert(m.framework->name);
          }
        }
      }
    }
    // Framework code is never a root, whatever its annotations or names say.
    if (isInFrameworkHeader(fact.loc.file)) {
      fact.display.clear();
      fact.framework.clear();
      continue;
    }
    if (hasAnnotation(fn, "forksafe::handler") || role == RootKind::Handler) {
      fact.root = RootKind::Handler;
    } else if (hasAnnotation(fn, "forksafe::worker_init") || role == RootKind::WorkerInit) {
      fact.root = RootKind::WorkerInit;
    } else if (hasAnnotation(fn, "forksafe::init") || role == RootKind::Init) {
      fact.root = RootKind::Init;
    } else if (fn->isMain()) {
      fact.root = RootKind::Main;
    } else if (role == RootKind::Signal) {
      fact.root = RootKind::Signal;
    } else if (!handlerPatterns_.empty()) {
      std::string qualified = fn->getQualifiedNameAsString();
      for (const llvm::Regex& re : handlerPatterns_)
        if (re.match(qualified)) fact.root = RootKind::Handler;
    }
    if (fact.root == RootKind::Handler) facts_.hasHandlerRoots = true;
    // FORKSAFE_INIT (which FORKSAFE_APP's body carries) and FORKSAFE_WORKER_INIT say that a
    // pre-fork server runs this code: the TU is deployed pre-fork whatever main() does.
    if (hasAnnotation(fn, "forksafe::init") || hasAnnotation(fn, "forksafe::worker_init"))
      facts_.preforkHint = "FORKSAFE_APP/FORKSAFE_INIT code";
    if (fact.root != RootKind::Handler) {
      fact.display.clear();
      fact.framework.clear();
    }
  }
  for (FunctionFact& fact : facts_.functions)  // serve:<id> pseudo-functions
    if (fact.root == RootKind::Handler) facts_.hasHandlerRoots = true;
  facts_.frameworks.assign(frameworksSeen_.begin(), frameworksSeen_.end());
}

}  // namespace forksafe
