using BenchmarkDotNet.Running;

// "summarize FOLDER": the summary of benchmarks/run.sh's runs, written to stdout.
if (args is ["summarize", var folder])
{
    return RseOrleans.Benchmarks.RunSummary.Write(folder, Console.Out);
}

// "summarize-load FOLDER": the summary of benchmarks/load.sh's runs.
if (args is ["summarize-load", var loadFolder])
{
    return RseOrleans.Benchmarks.LoadRunSummary.Write(loadFolder, Console.Out);
}

// The engine under test runs inside the benchmark process (an in-process silo), so benchmarks run
// in process too: a child-process toolchain would rebuild the solution for every run.
var arguments = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
var summaries = BenchmarkSwitcher.FromAssembly(typeof(RseOrleans.Benchmarks.TimelineBenchmarks).Assembly).Run(arguments);

// A benchmark that throws leaves an empty report: fail the run so that CI notices.
var failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
return failed ? 1 : 0;
