// The review page's files, sent as scripts/build-web wrote them: a precompressed copy
// (NAME.br, NAME.gz) when the client accepts it, never compressed per request; content-hashed
// names cached for a year (immutable), the rest revalidated (no-cache, ETag, 304).
#pragma once
#include <string>
#include <string_view>

namespace httplib {
class Server;
}

namespace verdict::review {

// "br", "gzip" or "" from an Accept-Encoding header: br before gzip, q=0 refuses.
std::string pick_encoding(std::string_view accept_encoding, bool have_br, bool have_gzip);

// True for a name with a content hash before its extension (app.3f2a9c1b04d2.js).
bool is_hashed_name(std::string_view name);

// The Content-Type for a file name ("application/octet-stream" when unknown).
std::string content_type_for(std::string_view name);

// GET (and HEAD) of any path outside /api/ is a file under `folder`, "/" being index.html.
// Paths with "..", hidden names or anything but regular files are 404.
void add_static_routes(httplib::Server& server, const std::string& folder);

}  // namespace verdict::review
