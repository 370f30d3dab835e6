using RseOrleans.Cli;

return await Rse.Build().Parse(args).InvokeAsync();
