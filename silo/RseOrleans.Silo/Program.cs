using RseOrleans.Silo;

var app = RseHost.Build(args);
await app.RunAsync();
