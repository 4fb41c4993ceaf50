// Unit tests of the language server's text layer: URIs, UTF-16 positions and incremental edits.
#include <gtest/gtest.h>

#include "lsp/DocumentStore.h"
#include "lsp/Protocol.h"

namespace {

using namespace forksafe::lsp;
namespace json = llvm::json;

TEST(CheckLspProtocol, FileUrisRoundTripWithPercentEncoding) {
  EXPECT_EQ(pathToUri("/a b/c++/é.cpp"), "file:///a%20b/c%2B%2B/%C3%A9.cpp");
  EXPECT_EQ(uriToPath("file:///a%20b/c%2B%2B/%C3%A9.cpp"), "/a b/c++/é.cpp");
  EXPECT_EQ(uriToPath("file://localhost/x.cpp"), "/x.cpp");
  EXPECT_EQ(uriToPath("http://example.com/x.cpp"), std::nullopt);
  EXPECT_EQ(uriToPath("file:///bad%2"), std::nullopt);
  EXPECT_EQ(uriToPath("file:///nul%00byte"), std::nullopt);
  EXPECT_EQ(uriToPath("file://otherhost/x.cpp"), std::nullopt);
}

TEST(CheckLspProtocol, Utf16PositionsCountSurrogatePairs) {
  // "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
  std::string text = "int a;\n/*é😀*/ int b;\n";
  size_t b = text.find(" b;") + 1;
  Position p = positionAt(text, b, Encoding::Utf16);
  EXPECT_EQ(p.line, 1u);
  EXPECT_EQ(p.character, 12u);  // "/*" 2 + é 1 + 😀 2 + "*/" 2 + " int " 5
  EXPECT_EQ(offsetAt(text, p, Encoding::Utf16), b);
  EXPECT_EQ(positionAt(text, b, Encoding::Utf8).character, 15u);
  // Clang's byte column 16 of line 2 is the same place.
  Position c = positionOfColumn(text, 2, 16, Encoding::Utf16);
  EXPECT_EQ(c.character, 12u);
  EXPECT_EQ(identifierEnd(text, 2, 16, Encoding::Utf16).character, 13u);
  // Past the end of a line or of the text: clamped.
  EXPECT_EQ(offsetAt(text, {0, 99}, Encoding::Utf16), 6u);
  EXPECT_EQ(offsetAt(text, {99, 0}, Encoding::Utf16), text.size());
}

TEST(CheckLspProtocol, IncrementalChangesApplyInOrderAndBadOnesChangeNothing) {
  DocumentStore store;
  store.open({"file:///x.cpp", "/x.cpp", 1, "int a;\nint b;\n"});
  auto range = [](unsigned l1, unsigned c1, unsigned l2, unsigned c2) {
    return json::Object{{"start", json::Object{{"line", l1}, {"character", c1}}},
                        {"end", json::Object{{"line", l2}, {"character", c2}}}};
  };
  json::Array changes{json::Object{{"range", range(0, 4, 0, 5)}, {"text", "alpha"}},
                      json::Object{{"range", range(1, 0, 1, 0)}, {"text", "static "}}};
  EXPECT_EQ(store.change("file:///x.cpp", 2, changes, Encoding::Utf16), "");
  EXPECT_EQ(store.find("file:///x.cpp")->text, "int alpha;\nstatic int b;\n");
  EXPECT_EQ(store.find("file:///x.cpp")->version, 2);
  json::Array bad{json::Object{{"range", range(0, 0, 0, 3)}, {"text", "long"}},
                  json::Object{{"range", 7}, {"text", "x"}}};
  EXPECT_NE(store.change("file:///x.cpp", 3, bad, Encoding::Utf16), "");
  EXPECT_EQ(store.find("file:///x.cpp")->text, "int alpha;\nstatic int b;\n");
  EXPECT_NE(store.change("file:///y.cpp", 2, changes, Encoding::Utf16), "");
  json::Array whole{json::Object{{"text", "int c;\n"}}};
  EXPECT_EQ(store.change("file:///x.cpp", 4, whole, Encoding::Utf16), "");
  EXPECT_EQ(store.findPath("/x.cpp")->text, "int c;\n");
}

}  // namespace
