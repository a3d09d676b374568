// What tests need from their surroundings: the source tree, a scratch
// folder that cleans itself up, and a way to run the real `sourcetrace`
// binary and see its exit code and output.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace sourcetrace::testing {

namespace fs = std::filesystem;

inline std::string source_path(const std::string& relative) {
  return (fs::path(SOURCETRACE_SOURCE_DIR) / relative).string();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// A fresh folder under the system temp folder, removed on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("sourcetrace-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

// Starts a program with stdout and stderr going to the given files.
// Returns its pid, or -1.
inline pid_t start_program(const std::vector<std::string>& argv, const std::string& out,
                           const std::string& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// The processes whose parent is `parent` (read from /proc), e.g. the ranks
// that mpirun started.
inline std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;  // the process ended meanwhile
    const auto close = line.rfind(')');       // the command name may hold spaces
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    fields >> state >> ppid;
    if (ppid == parent) children.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return children;
}

// Runs a program with stdout and stderr captured to files (no pipe
// deadlocks) and waits for it.
inline CommandResult run_program(const std::vector<std::string>& argv) {
  TempDir capture;
  const std::string out = capture / "stdout", err = capture / "stderr";
  CommandResult result;
  pid_t pid = start_program(argv, out, err);
  if (pid > 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  result.out = read_file(out);
  result.err = read_file(err);
  return result;
}

inline CommandResult run_sourcetrace(std::vector<std::string> args) {
  args.insert(args.begin(), SOURCETRACE_BINARY);
  return run_program(args);
}

// Copies tests/fixtures/base, then applies a fixture folder's files
// (remove.txt lists base files to delete; expect.json is not data).
inline void make_fixture_dataset(const std::string& fixture, const std::string& into) {
  fs::create_directories(into);
  for (const auto& f : fs::directory_iterator(source_path("tests/fixtures/base"))) {
    fs::copy_file(f.path(), fs::path(into) / f.path().filename(), fs::copy_options::overwrite_existing);
  }
  if (fixture.empty()) return;
  for (const auto& f : fs::directory_iterator(fixture)) {
    std::string name = f.path().filename().string();
    if (name == "expect.json") continue;
    if (name == "remove.txt") {
      std::istringstream lines(read_file(f.path().string()));
      for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) fs::remove(fs::path(into) / line);
      }
      continue;
    }
    fs::copy_file(f.path(), fs::path(into) / name, fs::copy_options::overwrite_existing);
  }
}

}  // namespace sourcetrace::testing
