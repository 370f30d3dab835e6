using System.CommandLine;
using RseOrleans.Api.V1;

namespace RseOrleans.Cli.Commands;

/// <summary><c>rse report</c>: reporting content to its moderators, and their list of reports.</summary>
internal static class ReportCommands
{
    private static MethodDescriptorLookup Rpc => new(Api.V1.Admin.Descriptor);

    public static Command Create(Verbs verbs)
    {
        var command = new Command("report", "Report a post or comment to its moderators; list the reports.");

        var postId = new Argument<string>("post-id") { Description = "The post reported, or whose comment is." };
        var reason = new Argument<string>("reason") { Description = "Why, 1-500 characters." };
        var commentId = new Option<string>("--comment") { Description = "Report this comment of the post rather than the post.", DefaultValueFactory = _ => "" };
        command.Subcommands.Add(verbs.Write("create", "Report a post or one of its comments to its moderators.", Rpc["ReportContent"], [postId, reason, commentId], async call =>
        {
            var report = await call.Admin.ReportContentAsync(
                new ReportContentRequest { RequestId = call.RequestId, PostId = call.Get(postId), CommentId = call.Get(commentId), Reason = call.Get(reason) },
                call.Headers,
                cancellationToken: call.Cancellation);
            call.Print(report, output => output.WriteLine($"reported: report #{report.ReportId}"));
        }));

        var groupId = new Option<string>("--group") { Description = "The group whose reports to list (default: the reports on profile posts, for network admins).", DefaultValueFactory = _ => "" };
        var paging = new Paging();
        command.Subcommands.Add(verbs.Read("list", "List reports for their moderators, newest first.", Rpc["ListReports"], [groupId, .. paging.Symbols], async call =>
        {
            var page = await call.Admin.ListReportsAsync(
                new ListReportsRequest { GroupId = call.Get(groupId), PageSize = call.Get(paging.Size), PageToken = call.Get(paging.Token) }, call.Headers, cancellationToken: call.Cancellation);
            await call.PrintAsync(page, (output, zone) =>
            {
                foreach (var report in page.Reports)
                {
                    var what = report.CommentId.Length > 0 ? $"comment {report.CommentId} of post {report.PostId}" : $"post {report.PostId}";
                    output.WriteLine($"#{report.ReportId} [{Call.Time(report.CreateTime, zone)}] {report.ReporterId} reported {what}: {report.Reason}");
                }

                Text.Paged(output, page.Reports.Count, page.NextPageToken, "no reports");
            });
        }));
        return command;
    }
}
