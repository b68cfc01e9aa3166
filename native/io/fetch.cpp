#include "native/io/fetch.h"

#include <curl/curl.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "shared/error.h"
#include "native/io/staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

std::size_t write_to_file(char* data, std::size_t size, std::size_t count, void* file) {
  return std::fwrite(data, size, count, static_cast<std::FILE*>(file)) * size;
}

void download(const std::string& url, const fs::path& to) {
  std::FILE* file = std::fopen(to.c_str(), "wb");
  if (!file) throw Error("cannot write '" + to.string() + "'");
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_to_file);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, file);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  std::fclose(file);
  if (rc != CURLE_OK) {
    throw Error("download of " + url + " failed: " + curl_easy_strerror(rc) +
                " (set VERDICT_DATA_MIRROR or --mirror to a folder holding the files)");
  }
}

}  // namespace

void fetch_verified(const std::string& base_url, const std::string& mirror,
                    const std::string& subdir, const std::string& name,
                    const std::string& sha256, const std::string& dest) {
  StagedOutputs out;
  const fs::path temp = out.stage(dest);
  std::string origin;
  if (!mirror.empty()) {
    fs::path found;
    for (const fs::path& candidate : {fs::path(mirror) / name, fs::path(mirror) / subdir / name}) {
      if (fs::is_regular_file(candidate)) {
        found = candidate;
        break;
      }
    }
    if (found.empty()) {
      throw Error("mirror '" + mirror + "' has no " + name + " (looked in it and in " + subdir + "/)");
    }
    std::error_code ec;
    fs::copy_file(found, temp, fs::copy_options::overwrite_existing, ec);
    if (ec) throw Error("cannot copy '" + found.string() + "': " + ec.message());
    fs::permissions(temp, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read);
    origin = found.string();
  } else {
    origin = base_url + name;
    download(origin, temp);
  }
  const std::string got = sha256_file(temp.string());
  if (got != sha256) {
    throw Error(name + " from " + origin + " has sha256 " + got + ", expected " + sha256);
  }
  out.commit();
}

}  // namespace verdict
