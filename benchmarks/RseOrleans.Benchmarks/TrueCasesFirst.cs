using System.Collections.Immutable;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Running;

namespace RseOrleans.Benchmarks;

/// <summary>
/// The latency columns, and the cases whose <paramref name="parameter"/> is true before those where
/// it is false. BenchmarkDotNet runs a bool parameter's false cases first, whatever order
/// <c>[Params]</c> gives, and in one process the second case tends to run faster: a feature measured
/// on against off must run on first, so that the head start never flatters it.
/// </summary>
public abstract class TrueCasesFirst : ManualConfig
{
    protected TrueCasesFirst(string parameter)
    {
        Add(new LatencyColumns());
        WithOrderer(new TrueFirstOrderer(parameter));
    }

    private sealed class TrueFirstOrderer(string parameter) : DefaultOrderer
    {
        public override IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarkCases, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
            base.GetExecutionOrder(benchmarkCases, order).OrderByDescending(benchmark => benchmark.Parameters[parameter] is true);
    }
}
