using BenchmarkDotNet.Running;

// The engine under test runs inside the benchmark process (an in-process silo), so benchmarks run
// in process too: a child-process toolchain would rebuild the solution for every run.
var arguments = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(RseOrleans.Benchmarks.TimelineBenchmarks).Assembly).Run(arguments);
