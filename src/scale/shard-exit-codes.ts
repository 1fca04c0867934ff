/** What a shard's and the merge's exit codes mean (modelprof run --shard; README, "Scale out"). */
export const SHARD_EXIT_CODES =
  "a shard exits 0 once its report is written, whatever its own verdict, and non-zero only when it could not measure or write (2 settings, 4 tool, 5 output, 130 interrupted); the run's verdict (0 pass, 1 SLA failed, 3 no verdict, 4 target error) is the exit code of the merge (modelprof merge)";
