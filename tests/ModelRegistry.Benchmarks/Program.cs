using BenchmarkDotNet.Running;

// Runs the benchmarks named on the command line (BenchmarkDotNet's --filter); build/bench.sh drives it.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
