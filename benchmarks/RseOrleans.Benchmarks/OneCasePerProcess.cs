namespace RseOrleans.Benchmarks;

/// <summary>
/// The cases of an on/off parameter, both unless an environment variable picks one (<c>on</c> or
/// <c>off</c>). The first cases of a process still warm it up, whatever they measure, so a feature's
/// cost is measured with each case in processes of its own: <c>RSE_BENCH_X=on ./benchmarks/run.sh …</c>
/// and again with <c>off</c>.
/// </summary>
internal static class OneCasePerProcess
{
    public static bool[] OnOff(string variable, params bool[] both) => Environment.GetEnvironmentVariable(variable) switch
    {
        "on" => [true],
        "off" => [false],
        null or "" => both,
        var other => throw new InvalidOperationException($"{variable} is '{other}': on, off, or unset for both."),
    };
}
