// The review page's files through `verdict serve`: precompressed copies sent as they are,
// cache headers by name, revalidation, and nothing outside the page folder.
#include <catch2/catch.hpp>

#include <fstream>

#include "native/review/static_files.h"
#include "server_fixture.h"

using namespace verdict::review;
using namespace verdict::review::testing;

TEST_CASE("Accept-Encoding picks brotli, then gzip, never a refused or missing coding", "[static]") {
  CHECK(pick_encoding("gzip, deflate, br", true, true) == "br");
  CHECK(pick_encoding("gzip, deflate, br", false, true) == "gzip");
  CHECK(pick_encoding("gzip, deflate, br", false, false) == "");
  CHECK(pick_encoding("gzip", true, true) == "gzip");
  CHECK(pick_encoding("br;q=0, gzip", true, true) == "gzip");
  CHECK(pick_encoding("br;q=0.5, gzip;q=0.9", true, true) == "gzip");
  CHECK(pick_encoding("identity", true, true) == "");
  CHECK(pick_encoding("", true, true) == "");
  CHECK(pick_encoding("*", true, true) == "br");
  CHECK(pick_encoding("*;q=0", true, true) == "");
  CHECK(pick_encoding("GZIP", false, true) == "gzip");
  CHECK(pick_encoding("br;q=x", true, true) == "");
}

TEST_CASE("content-hashed names and types", "[static]") {
  CHECK(is_hashed_name("app.3f2a9c1b04d2.js"));
  CHECK(is_hashed_name("model.0123456789ab.bin"));
  CHECK_FALSE(is_hashed_name("app.js"));
  CHECK_FALSE(is_hashed_name("index.html"));
  CHECK_FALSE(is_hashed_name("app.3F2A9C1B04D2.js"));
  CHECK_FALSE(is_hashed_name("app3f2a9c1b04d2.js"));
  CHECK_FALSE(is_hashed_name("app.3f2a9c1b04d.js"));
  CHECK(content_type_for("a.0123456789ab.wasm") == "application/wasm");
  CHECK(content_type_for("app.js").rfind("text/javascript", 0) == 0);
  CHECK(content_type_for("x.unknown") == "application/octet-stream");
}

TEST_CASE("verdict serve sends the page's files as build-web wrote them", "[static][server]") {
  Running s;
  const fs::path dist = s.dir / "dist";
  fs::create_directories(dist / "assets");
  const std::string js(4000, 'x'), gz = "GZIP-BYTES-AS-WRITTEN", br = "BROTLI-BYTES-AS-WRITTEN";
  std::ofstream(dist / "assets" / "app.0123456789ab.js") << js;
  std::ofstream(dist / "assets" / "app.0123456789ab.js.gz") << gz;
  std::ofstream(dist / "assets" / "app.0123456789ab.js.br") << br;
  std::ofstream(dist / "index.html.gz") << "HTML-GZ";
  auto c = s.client();
  c.set_decompress(false);  // the bytes on the wire

  SECTION("brotli when accepted: the .br file itself, not compressed again") {
    const httplib::Response r = ok(c.Get("/assets/app.0123456789ab.js", {{"Accept-Encoding", "gzip, deflate, br"}}));
    CHECK(r.status == 200);
    CHECK(r.body == br);
    CHECK(r.get_header_value("Content-Encoding") == "br");
    CHECK(r.get_header_value("Content-Type").rfind("text/javascript", 0) == 0);
    CHECK(r.get_header_value("Cache-Control") == "public, max-age=31536000, immutable");
    CHECK(r.get_header_value("Vary") == "Accept-Encoding");
  }
  SECTION("gzip, then the plain file") {
    CHECK(ok(c.Get("/assets/app.0123456789ab.js", {{"Accept-Encoding", "gzip"}})).body == gz);
    const httplib::Response plain = ok(c.Get("/assets/app.0123456789ab.js", {{"Accept-Encoding", "identity"}}));
    CHECK(plain.body == js);
    CHECK_FALSE(plain.has_header("Content-Encoding"));
  }
  SECTION("index.html is revalidated: no-cache, an ETag, 304 when unchanged") {
    const httplib::Response first = ok(c.Get("/", {{"Accept-Encoding", "gzip"}}));
    CHECK(first.body == "HTML-GZ");
    CHECK(first.get_header_value("Cache-Control") == "no-cache");
    const std::string etag = first.get_header_value("ETag");
    REQUIRE_FALSE(etag.empty());
    const httplib::Response again = ok(c.Get("/", {{"Accept-Encoding", "gzip"}, {"If-None-Match", etag}}));
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    const httplib::Response plain = ok(c.Get("/index.html"));
    CHECK(plain.body == "<!doctype html><title>review</title>");
    CHECK(plain.get_header_value("ETag") != etag);  // another representation, another tag
  }
  SECTION("nothing outside the folder, no hidden files, API paths stay the API's") {
    std::ofstream(dist / ".secret") << "hidden";
    for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/.secret", "/assets",
                             "/nope.js", "/api/nope"}) {
      const httplib::Response r = ok(c.Get(path));
      INFO(path);
      CHECK(r.status == 404);
      CHECK(r.body.find("secret") == std::string::npos);
      CHECK(r.body.find("hidden") == std::string::npos);
    }
    CHECK(ok(c.Get("/api/health")).status == 200);
  }
  SECTION("HEAD: the headers, no body") {
    const httplib::Response r = ok(c.Head("/assets/app.0123456789ab.js", {{"Accept-Encoding", "br"}}));
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(r.get_header_value("Content-Encoding") == "br");
    CHECK(r.get_header_value("Content-Length") == std::to_string(br.size()));
  }
}
