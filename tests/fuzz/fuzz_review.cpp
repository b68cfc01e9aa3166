// Fuzz target: the review API's request bodies through the path the server uses
// (native/review/api: parse within the bounds, check, store), without sockets. The first byte
// picks the endpoint — a flow definition, a loop, an answer to a task leased to a reviewer, or
// a question for the ground truth of completed loops — and the rest is the body. A stranger's body may be refused with a 4xx; a 500, a crash, a hang
// or a leak is a finding, and so is a stored answer whose output cannot be read back.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "fuzz_common.h"
#include "native/review/api.h"

namespace fs = std::filesystem;
using namespace verdict::review;

namespace {

struct World {
  fs::path dir;
  std::unique_ptr<Store> store;
  Reviewer admin, alice;
  long loops = 0;

  World() {
    // tmpfs when there is one: every request commits (fsync) like the real server's.
    dir = fs::path(fs::exists("/dev/shm") ? "/dev/shm" : fs::temp_directory_path().c_str()) /
          ("verdict-fuzz-review-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    store = std::make_unique<Store>((dir / "r.db").string());
    admin = *store->authenticate(store->add_reviewer("admin", true));
    alice = *store->authenticate(store->add_reviewer("alice", false));
    store->create_flow(Flow::from_json({{"name", "f"}, {"activation_conditions", {{"predicted_negative", true}}},
                                        {"records_per_task", 1}, {"output_dir", (dir / "out").string()}}),
                       "fuzz");
  }
  ~World() {
    store.reset();
    fs::remove_all(dir);
  }

  // A fresh loop leased to alice, for an answer.
  std::string leased_loop() {
    const std::string loop = store->start_loop("f", {{"records", {{{"row", loops}}}}}, "l" + std::to_string(loops++), "fuzz");
    store->next_task(alice);
    return loop;
  }
};

World& world() {
  static World w;
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  World& w = world();
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const int endpoint = data[0] % 4;
  const std::string loop = endpoint == 2 ? w.leased_loop() : "";
  ApiReply reply;
  try {
    reply = endpoint == 0   ? post_flow(*w.store, w.admin, body, 64)
            : endpoint == 1 ? post_loop(*w.store, w.admin, body, 64)
            : endpoint == 2 ? post_answer(*w.store, w.alice, loop, body, 64)
                            : post_ground_truth(*w.store, body, 64);
  } catch (...) {
    reply = error_reply(std::current_exception());
  }
  if (reply.status >= 500) std::fprintf(stderr, "fuzz: %d %s\n", reply.status, reply.body.dump().c_str());
  VERDICT_FUZZ_CHECK(reply.status < 500);
  (void)reply.body.dump();
  if (endpoint == 2 && reply.status == 201) {
    const nlohmann::json out = w.store->output(loop);  // what a completed loop's output.json holds
    VERDICT_FUZZ_CHECK(out["humanAnswers"].size() == 1);
    (void)out.dump();
  }
  return 0;
}
