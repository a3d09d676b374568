// `sourcetrace submit`: the nightly batch run as a chain of Slurm jobs.
//
// Reads a cluster plan (jobs/nightly.toml documents every key) and submits
// the batch scripts of slurm/ with sbatch, each stage after the one before:
//
//   ingest → detect (srun over the MPI ranks) → score (score, track, targets, export) → publish
//                                                                            ↘ brands (array, one export per brand)
//
// Each link is `--dependency=afterok`, so a stage that fails or is
// cancelled stops what follows, and `--kill-on-invalid-dep=yes` makes Slurm
// remove those followers instead of leaving them pending forever.
//
// Why submitting again is safe (after a requeue, a kill, or simply twice):
// every stage job runs `sourcetrace run --stages …` into the same run
// folder (its name is fixed at submission), and `run` skips a stage whose
// outputs record the same digests and writes every output atomically. A
// killed stage therefore reruns from its start, finished stages cost a
// digest check, and publish, which refuses a run without its manifest
// (written last), only ever points the service at a complete run. Two
// chains must not write one folder at once, so submit refuses while jobs of
// the same run are still queued or running.
#include <fcntl.h>
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "commands.hpp"
#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/pipeline/toml_sections.hpp"
#include "sourcetrace/service/run_publication.hpp"
#include "sourcetrace/store/feedback_journal.hpp"

extern char** environ;

namespace sourcetrace::cli {

namespace {

namespace fs = std::filesystem;

struct SubmitOptions {
  std::string plan;
  std::string name;  // "" = today's date (UTC)
  bool dry_run = false;
};

// [cluster]: what every job asks Slurm for.
struct ClusterPlan {
  std::string partition;   // "" = the cluster's default partition
  std::string account;     // "" = the user's default account
  int nodes = 1;           // detect's ranks spread over this many nodes
  int ranks = 1;           // detect's MPI ranks (srun --ntasks)
  int threads = 1;         // OpenMP threads per rank, and --cpus-per-task of every stage
  std::string memory;      // --mem per node ("" = the partition's default)
  std::string time_limit;  // --time of each job ("" = the partition's default)
  std::string mpi = "pmix";                 // srun --mpi for detect's ranks
  std::vector<std::string> sbatch_options;  // passed to every sbatch, after ours
};

// [paths], all absolute once read (relative ones are taken from the plan's folder).
struct PathPlan {
  fs::path dataset, job, run_root, runs, scripts, sourcetrace;
};

struct Plan {
  std::string file;  // the plan's own path, for messages
  ClusterPlan cluster;
  PathPlan paths;
  std::vector<std::string> brands;  // [brands] export
  std::string name;                 // the run's name: its folder under run_root
  fs::path run_dir;
  // The run published last (RUNS/current at submission), whose network
  // ids tonight's continue; empty when none was published yet.
  fs::path previous;
};

// Reads typed values from one table of the plan.
class PlanSection {
 public:
  PlanSection(const toml::table& root, std::string name, const std::string& file)
      : section_(root, std::move(name), file, "jobs/nightly.toml"), file_(file) {}

  Status read(const char* key, std::string& out) {
    const toml::node* node = section_.find(key);
    if (node == nullptr) return Status::ok();
    if (auto v = node->value<std::string>()) return out = *v, Status::ok();
    return section_.invalid(node, key, "must be a string");
  }

  Status read(const char* key, int& out, int at_least) {
    const toml::node* node = section_.find(key);
    if (node == nullptr) return Status::ok();
    auto v = node->value<std::int64_t>();
    if (!v || !node->is_integer()) return section_.invalid(node, key, "must be an integer");
    if (*v < at_least) return section_.invalid(node, key, fmt::format("must be at least {}", at_least));
    if (*v > 1'000'000) return section_.invalid(node, key, "must be at most 1000000");
    out = static_cast<int>(*v);
    return Status::ok();
  }

  Status read(const char* key, std::vector<std::string>& out) {
    const toml::node* node = section_.find(key);
    if (node == nullptr) return Status::ok();
    const toml::array* list = node->as_array();
    if (list == nullptr) return section_.invalid(node, key, "must be a list of strings");
    out.clear();
    for (const toml::node& item : *list) {
      auto v = item.value<std::string>();
      if (!v) return section_.invalid(&item, key, "must be a list of strings");
      out.push_back(*v);
    }
    return Status::ok();
  }

  // A path relative to the plan file's folder, made absolute.
  Status read_path(const char* key, fs::path& out, bool required, const char* what) {
    std::string text;
    ST_RETURN_IF_ERROR(read(key, text));
    if (text.empty()) {
      return required ? section_.invalid(nullptr, key, fmt::format("is required ({})", what)) : Status::ok();
    }
    fs::path p(text);
    if (p.is_relative()) p = fs::absolute(fs::path(file_)).parent_path() / p;
    out = p.lexically_normal();
    return Status::ok();
  }

  Status invalid(const char* key, const std::string& reason) const { return section_.invalid(key, reason); }
  Status check_unknown() const { return section_.check_unknown(); }

 private:
  pipeline::TomlSection section_;
  const std::string& file_;
};

// Names that become folder names, job names and sbatch arguments: no
// spaces, commas, slashes or shell characters.
bool is_plain_name(const std::string& s) {
  static const std::regex plain("[A-Za-z0-9._-]+");
  return std::regex_match(s, plain) && s != "." && s != "..";
}

std::string today_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

Result<Plan> read_plan(const SubmitOptions& o) {
  const std::string& file = o.plan;
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::missing_input(file + ": cannot open the cluster plan");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = pipeline::parse_sections(file, text.str(), {"cluster", "paths", "brands"}, "jobs/nightly.toml");
  if (!parsed.is_ok()) return parsed.status();
  const toml::table& root = parsed.value();
  Plan plan;
  plan.file = file;

  PlanSection cluster(root, "cluster", file);
  ClusterPlan& c = plan.cluster;
  ST_RETURN_IF_ERROR(cluster.read("partition", c.partition));
  ST_RETURN_IF_ERROR(cluster.read("account", c.account));
  ST_RETURN_IF_ERROR(cluster.read("nodes", c.nodes, 1));
  ST_RETURN_IF_ERROR(cluster.read("ranks", c.ranks, 1));
  ST_RETURN_IF_ERROR(cluster.read("threads", c.threads, 1));
  ST_RETURN_IF_ERROR(cluster.read("memory", c.memory));
  ST_RETURN_IF_ERROR(cluster.read("time_limit", c.time_limit));
  ST_RETURN_IF_ERROR(cluster.read("mpi", c.mpi));
  ST_RETURN_IF_ERROR(cluster.read("sbatch_options", c.sbatch_options));
  ST_RETURN_IF_ERROR(cluster.check_unknown());
  static const std::regex slurm_list("[A-Za-z0-9._,-]*");
  if (!std::regex_match(c.partition, slurm_list)) {
    return cluster.invalid("partition", "must be a partition name (or a comma list of them)");
  }
  if (!std::regex_match(c.account, slurm_list)) return cluster.invalid("account", "must be an account name");
  if (c.ranks < c.nodes) {
    return cluster.invalid("ranks", fmt::format("({}) must be at least nodes ({}): every node runs a rank", c.ranks,
                                                c.nodes));
  }
  // sbatch's own forms: a number with an optional K/M/G/T unit; minutes,
  // MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS.
  static const std::regex memory("[0-9]+[KMGT]?");
  if (!c.memory.empty() && !std::regex_match(c.memory, memory)) {
    return cluster.invalid("memory", fmt::format("\"{}\" is not a size such as \"16G\" or \"500M\"", c.memory));
  }
  static const std::regex time_limit("([0-9]+-[0-9]+(:[0-9]+){0,2})|([0-9]+(:[0-9]+){0,2})|UNLIMITED|INFINITE");
  if (!c.time_limit.empty() && !std::regex_match(c.time_limit, time_limit)) {
    return cluster.invalid("time_limit",
                           fmt::format("\"{}\" is not a Slurm time such as \"02:00:00\" or \"1-00:00:00\"", c.time_limit));
  }
  if (!is_plain_name(c.mpi)) return cluster.invalid("mpi", "must be an srun --mpi type such as \"pmix\"");
  for (const std::string& option : c.sbatch_options) {
    if (option.rfind("--", 0) != 0) {
      return cluster.invalid("sbatch_options", fmt::format("\"{}\" is not a long sbatch option (--name=value)", option));
    }
  }

  PlanSection paths(root, "paths", file);
  PathPlan& p = plan.paths;
  ST_RETURN_IF_ERROR(paths.read_path("dataset", p.dataset, true, "the dataset folder to analyse"));
  ST_RETURN_IF_ERROR(paths.read_path("job", p.job, false, ""));
  ST_RETURN_IF_ERROR(paths.read_path("run_root", p.run_root, true, "the folder the run folders go into"));
  ST_RETURN_IF_ERROR(paths.read_path("runs", p.runs, true, "the service's runs folder that publish switches"));
  p.scripts = fs::absolute(fs::path(file)).parent_path() / "../slurm";
  ST_RETURN_IF_ERROR(paths.read_path("scripts", p.scripts, false, ""));
  p.scripts = p.scripts.lexically_normal();
  ST_RETURN_IF_ERROR(paths.read_path("sourcetrace", p.sourcetrace, false, ""));
  ST_RETURN_IF_ERROR(paths.check_unknown());
  if (p.sourcetrace.empty()) {
    // This very binary: the jobs then run the build that checked the plan.
    std::error_code ec;
    p.sourcetrace = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return Status::internal("cannot tell where this sourcetrace binary is: " + ec.message());
  }
  if (!fs::is_directory(p.dataset)) {
    return paths.invalid("dataset", fmt::format("{} is not a folder", p.dataset.string()));
  }
  if (::access(p.sourcetrace.c_str(), X_OK) != 0) {
    return paths.invalid("sourcetrace", fmt::format("{} is not an executable file", p.sourcetrace.string()));
  }

  PlanSection brands(root, "brands", file);
  ST_RETURN_IF_ERROR(brands.read("export", plan.brands));
  ST_RETURN_IF_ERROR(brands.check_unknown());
  std::set<std::string> seen;
  for (const std::string& b : plan.brands) {
    if (!is_plain_name(b)) return brands.invalid("export", fmt::format("\"{}\" is not a brand id", b));
    if (!seen.insert(b).second) return brands.invalid("export", fmt::format("names \"{}\" twice", b));
  }

  plan.name = o.name.empty() ? today_utc() : o.name;
  if (!is_plain_name(plan.name) || plan.name == "current") {
    return Status::invalid_argument(fmt::format(
        "--name \"{}\": a run name is a folder name (letters, digits, '.', '_', '-') other than \"current\"", plan.name));
  }
  plan.run_dir = p.run_root / plan.name;
  // The chain goes on from the run the service serves now. (A resubmission
  // of a run already published points at itself: it continues from nothing
  // new, so it keeps what it had.)
  if (auto published = service::current_run(p.runs.string()); published.is_ok()) {
    std::error_code ec;
    if (!fs::equivalent(published.value(), plan.run_dir, ec)) plan.previous = published.value();
  } else if (published.status().code() != Status::Code::kNotFound) {
    return published.status();
  }
  return plan;
}

// One sbatch submission: a script of slurm/, its arguments and resources.
struct StageJob {
  std::string stage;                   // also the log file's and job's name
  std::string script;                  // file name in the scripts folder
  std::string after;                   // the stage it waits for ("" = none)
  std::vector<std::string> resources;  // sbatch options of this stage alone
  std::vector<std::string> args;       // the script's arguments
};

std::vector<StageJob> chain_of(const Plan& plan) {
  const ClusterPlan& c = plan.cluster;
  const std::string dataset = plan.paths.dataset.string(), run = plan.run_dir.string();
  const std::string job = plan.paths.job.empty() ? "-" : plan.paths.job.string();  // "-": built-in defaults
  const std::string cpus = fmt::format("--cpus-per-task={}", c.threads);
  std::vector<StageJob> jobs = {
      {"ingest", "ingest.sbatch", "", {"--nodes=1", "--ntasks=1", cpus}, {dataset, run, job}},
      {"detect", "detect.sbatch", "ingest",
       {fmt::format("--nodes={}", c.nodes), fmt::format("--ntasks={}", c.ranks), cpus},
       {dataset, run, job, plan.previous.empty() ? "-" : plan.previous.string()}},
      {"score", "score.sbatch", "detect", {"--nodes=1", "--ntasks=1", cpus},
       {dataset, run, job, plan.previous.empty() ? "-" : plan.previous.string(), plan.paths.runs.string()}},
  };
  if (!plan.brands.empty()) {
    StageJob brands{"brands", "brands.sbatch", "score",
                    {"--nodes=1", "--ntasks=1", "--cpus-per-task=1", fmt::format("--array=0-{}", plan.brands.size() - 1)},
                    {run, job}};
    brands.args.insert(brands.args.end(), plan.brands.begin(), plan.brands.end());
    jobs.push_back(brands);
  }
  jobs.push_back({"publish", "publish.sbatch", "score", {"--nodes=1", "--ntasks=1", "--cpus-per-task=1"},
                  {run, plan.paths.runs.string()}});
  return jobs;
}

std::string job_name(const Plan& plan, const std::string& stage) { return "st-" + stage + "." + plan.name; }

// sbatch's arguments for one stage; `dependency` is the job id it waits for.
std::vector<std::string> sbatch_command(const Plan& plan, const StageJob& job, const std::string& dependency) {
  const ClusterPlan& c = plan.cluster;
  const bool array = job.stage == "brands";
  std::vector<std::string> cmd = {
      "sbatch", "--parsable", "--export=ALL",
      // A job Slurm requeues (node failure, preemption) starts its script
      // again; `run` then skips what is already done.
      "--requeue", "--open-mode=append", "--job-name=" + job_name(plan, job.stage),
      "--chdir=" + plan.run_dir.string(),
      "--output=" + (plan.run_dir / "logs" / (job.stage + (array ? "-%A_%a.out" : "-%j.out"))).string()};
  if (!c.partition.empty()) cmd.push_back("--partition=" + c.partition);
  if (!c.account.empty()) cmd.push_back("--account=" + c.account);
  if (!c.time_limit.empty()) cmd.push_back("--time=" + c.time_limit);
  if (!c.memory.empty()) cmd.push_back("--mem=" + c.memory);
  cmd.insert(cmd.end(), job.resources.begin(), job.resources.end());
  if (!job.after.empty()) {
    cmd.push_back("--dependency=afterok:" + dependency);
    cmd.push_back("--kill-on-invalid-dep=yes");
  }
  // The site's own options come last, so they win over ours.
  cmd.insert(cmd.end(), c.sbatch_options.begin(), c.sbatch_options.end());
  cmd.push_back((plan.paths.scripts / job.script).string());
  cmd.insert(cmd.end(), job.args.begin(), job.args.end());
  return cmd;
}

// The environment the scripts read (sbatch --export=ALL carries it into the job).
std::vector<std::string> script_environment(const Plan& plan) {
  return {"SOURCETRACE=" + plan.paths.sourcetrace.string(), "SOURCETRACE_MPI=" + plan.cluster.mpi};
}

std::string shell_quote(const std::string& s) {
  static const std::regex safe("[A-Za-z0-9_./:=,@%+-]+");
  if (std::regex_match(s, safe)) return s;
  std::string quoted = "'";
  for (char ch : s) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return quoted + "'";
}

struct ProgramResult {
  int exit_code = 0;
  std::string out;  // its standard output; its standard error goes to ours
};

// Runs a program found on PATH with `env` added to our environment, and
// waits for it. Not found is an error that says what to do.
Result<ProgramResult> run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::set<std::string> replaced;
  for (const std::string& e : env) replaced.insert(name_of(e));
  std::vector<std::string> environment = env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!replaced.count(name_of(*e))) environment.emplace_back(*e);
  }
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& e : environment) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Status::internal(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    if (spawned == ENOENT) {
      return Status::not_found(fmt::format("{} not found on PATH: submit from a machine with the Slurm client "
                                           "commands (load the site's slurm module), or look with --dry-run",
                                           argv[0]));
    }
    return Status::internal(fmt::format("cannot start {}: {}", argv[0], std::strerror(spawned)));
  }
  ProgramResult result;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) result.out.append(buffer, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::internal(std::string("waitpid: ") + std::strerror(errno));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

Status check_scripts(const Plan& plan, const std::vector<StageJob>& jobs) {
  for (const StageJob& job : jobs) {
    const fs::path script = plan.paths.scripts / job.script;
    if (!fs::is_regular_file(script)) {
      return Status::missing_input(fmt::format("{}: [paths] scripts: {} has no {} (the slurm/ folder of sourcetrace)",
                                               plan.file, plan.paths.scripts.string(), job.script));
    }
  }
  return Status::ok();
}

int print_dry_run(const Plan& plan, const std::vector<StageJob>& jobs) {
  fmt::print("# sourcetrace submit --dry-run: nothing was submitted. Run as a shell script, this\n"
             "# submits the same chain by hand.\n"
             "# run {}: {}; publishes to {}\n"
             "# network ids {}\n"
             "# reports and verdicts from {}\n"
             "set -euo pipefail\n"
             "mkdir -p {}\n",
             plan.name, plan.run_dir.string(), plan.paths.runs.string(),
             plan.previous.empty() ? std::string("start a new chain (nothing published yet)")
                                   : "continue from " + plan.previous.string(),
             (plan.paths.runs / store::kFeedbackJournalName).string(),
             shell_quote((plan.run_dir / "logs").string()));
  std::string env;
  for (const std::string& e : script_environment(plan)) {
    const std::size_t eq = e.find('=');
    env += e.substr(0, eq + 1) + shell_quote(e.substr(eq + 1)) + " ";
  }
  for (const StageJob& job : jobs) {
    const fs::path script = plan.paths.scripts / job.script;
    fmt::print("\n# ---- {}: {} ----\n", job.stage, script.string());
    std::ifstream in(script);
    for (std::string line; std::getline(in, line);) fmt::print("#| {}\n", line);
    std::string line;
    for (const std::string& a : sbatch_command(plan, job, "${" + job.after + "%%;*}")) {
      // The dependency is the earlier sbatch's answer, held in a variable.
      line += (line.empty() ? "" : " ") + (a.rfind("--dependency=", 0) == 0 ? "\"" + a + "\"" : shell_quote(a));
    }
    fmt::print("{}=$({}{})\necho \"{} ${{{}%%;*}}\"\n", job.stage, env, line, job.stage, job.stage);
  }
  return kExitOk;
}

// Job ids (with name and state) of this run's stages still queued or
// running, one per line; empty when none.
Result<std::string> active_jobs(const Plan& plan) {
  std::string names;
  for (const char* stage : {"ingest", "detect", "score", "brands", "publish"}) {
    names += (names.empty() ? "" : ",") + job_name(plan, stage);
  }
  auto queued = run_program({"squeue", "--noheader", "--user=" + std::to_string(::getuid()), "--format=%i %j %T",
                             "--name=" + names});
  if (!queued.is_ok()) return queued.status();
  if (queued->exit_code != 0) {
    return Status::io_error(fmt::format("squeue failed (exit {}): is slurmctld reachable from here?", queued->exit_code));
  }
  return queued->out;
}

int submit_chain(const Plan& plan, const std::vector<StageJob>& jobs) {
  auto active = active_jobs(plan);
  if (!active.is_ok()) return report_failure(active.status());
  if (!active->empty()) {
    return report_failure(Status::invalid_argument(fmt::format(
        "jobs of run {} are still queued or running; a second chain would write the same folder. Wait for them "
        "or cancel them (scancel ID), then submit again:\n{}",
        plan.name, active.value())));
  }
  // Slurm opens the log files before a job starts, so their folder must exist.
  std::error_code ec;
  fs::create_directories(plan.run_dir / "logs", ec);
  if (ec) {
    return report_failure(Status::cannot_create(fmt::format("{}: cannot create folder: {}",
                                                            (plan.run_dir / "logs").string(), ec.message())));
  }

  std::map<std::string, std::string> ids;  // stage → job id
  std::vector<std::string> submitted;
  // A chain without its tail would never publish: take back what was queued.
  auto fail = [&](const Status& why) {
    if (!submitted.empty()) {
      std::vector<std::string> cancel = {"scancel"};
      cancel.insert(cancel.end(), submitted.begin(), submitted.end());
      auto cancelled = run_program(cancel);
      const bool ok = cancelled.is_ok() && cancelled->exit_code == 0;
      fmt::print(stderr, "submit: {} the jobs already queued for this run ({})\n",
                 ok ? "cancelled" : "could not cancel", fmt::join(submitted, " "));
    }
    return report_failure(why);
  };
  static const std::regex job_id("([0-9]+)(;.*)?\n?");
  for (const StageJob& job : jobs) {
    const std::string after = job.after.empty() ? "" : ids.at(job.after);
    auto answer = run_program(sbatch_command(plan, job, after), script_environment(plan));
    if (!answer.is_ok()) return fail(answer.status());
    std::smatch m;
    if (answer->exit_code != 0) {
      return fail(Status::io_error(fmt::format("sbatch refused the {} job (exit {}); its message is above",
                                               job.stage, answer->exit_code)));
    }
    if (!std::regex_match(answer->out, m, job_id)) {
      return fail(Status::io_error(fmt::format("sbatch answered \"{}\" for the {} job, not a job id", answer->out,
                                               job.stage)));
    }
    ids[job.stage] = m[1].str();
    submitted.push_back(m[1].str());
    fmt::print("{} {}\n", job.stage, m[1].str());
    std::fflush(stdout);
  }
  std::string chain;
  for (const StageJob& job : jobs) {
    if (job.stage == "brands") continue;
    chain += (chain.empty() ? "" : " -> ") + job.stage + " " + ids[job.stage];
  }
  const std::string brands =
      plan.brands.empty() ? "" : fmt::format("; brands {} ({} exports) after score", ids["brands"], plan.brands.size());
  fmt::print(stderr, "submit: run {} queued: {}{}; run folder {}, logs in {}, publishes to {}\n", plan.name, chain,
             brands, plan.run_dir.string(), (plan.run_dir / "logs").string(), plan.paths.runs.string());
  return kExitOk;
}

int run_submit(const SubmitOptions& o) {
  auto plan = read_plan(o);
  if (!plan.is_ok()) return report_failure(plan.status());
  // The analysis job is checked here, not an hour later on a compute node.
  if (!plan->paths.job.empty()) {
    auto job = pipeline::load_job(plan->paths.job.string());
    if (!job.is_ok()) return report_failure(job.status().with_context(o.plan + ": [paths] job"));
  }
  const std::vector<StageJob> jobs = chain_of(plan.value());
  if (Status s = check_scripts(plan.value(), jobs); !s.is_ok()) return report_failure(s);
  if (o.dry_run) return print_dry_run(plan.value(), jobs);
  return submit_chain(plan.value(), jobs);
}

}  // namespace

void add_submit_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SubmitOptions>();
  CLI::App* cmd = app.add_subcommand(
      "submit", "Submit the batch run to Slurm as chained jobs: ingest, detect (MPI ranks), score+track+targets+export, "
                "publish, and one export per brand");
  cmd->add_option("PLAN", o->plan, "Cluster plan (see jobs/nightly.toml)")->required();
  cmd->add_option("--name", o->name,
                  "Run name, the run folder under [paths] run_root (default: today's UTC date; the same name "
                  "resumes that run)");
  cmd->add_flag("--dry-run", o->dry_run, "Print the sbatch commands and the scripts, submit nothing");
  cmd->callback([o, &exit_code] { exit_code = run_submit(*o); });
}

}  // namespace sourcetrace::cli
