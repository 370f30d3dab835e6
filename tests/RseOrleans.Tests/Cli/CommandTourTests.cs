using RseOrleans.Tests.Fixtures;

namespace RseOrleans.Tests.Cli;

/// <summary>
/// The commands the README's sessions do not show, each run for real against a fresh engine and
/// checked line by line, as the README's are: every verb answers as its help says.
/// </summary>
public sealed class CommandTourTests
{
    private const string Tour = """
        rse user create carol --name "Carol Diaz" --time-zone Asia/Tokyo
        # carol: Carol Diaz · 0 followers · follows 0
        #   Asia/Tokyo
        rse user create dan --name "Dan Ito"
        # dan: Dan Ito · 0 followers · follows 0
        rse --as carol user edit --title Designer --skill Figma
        # carol: Carol Diaz, Designer · 0 followers · follows 0
        #   Asia/Tokyo · skills: Figma
        rse --as carol user edit --link "Portfolio=https://carol.example.com" --link "Team wiki=https://wiki.example.com/design?tab=home"
        # carol: Carol Diaz, Designer · 0 followers · follows 0
        #   Asia/Tokyo · skills: Figma
        #   link: Portfolio <https://carol.example.com>
        #   link: Team wiki <https://wiki.example.com/design?tab=home>
        rse --as carol user edit --link "https://carol.example.com"
        # error: --link 'https://carol.example.com': write TITLE=URL, e.g. --link "Team wiki=https://wiki.example.com".
        rse --as carol user edit --link "Portfolio=carol.example.com"
        # error: InvalidArgument: profile.links[0].url: must be an absolute http or https URL, for example https://wiki.example.com/team.
        rse --as carol user edit --no-links
        # carol: Carol Diaz, Designer · 0 followers · follows 0
        #   Asia/Tokyo · skills: Figma
        rse --as carol user edit
        # error: name at least one field to change, e.g. --title "Staff Engineer".
        rse --as dan user follow carol
        # following carol
        rse --as carol user followers
        # dan: Dan Ito
        rse --as dan user following
        # carol: Carol Diaz, Designer
        rse --as carol user following
        # follows no one
        rse --as dan user unfollow carol
        # no longer following carol
        rse --as dan user unfollow carol
        # nothing to do: not following carol
        rse --as carol user show dan
        # dan: Dan Ito · 0 followers · follows 0

        rse --as carol group create Design --admins-only
        # g0000000000000001: Design [open] · admins post · 1 member · you: owner
        rse --as carol group add g0000000000000001 dan
        # dan is a member of g0000000000000001
        rse --as carol group role g0000000000000001 dan moderator
        # dan is a moderator of g0000000000000001
        rse --as dan group show g0000000000000001
        # g0000000000000001: Design [open] · admins post · 2 members · you: moderator
        rse --as carol post create "Mood boards are up, @dan #Design" --group g0000000000000001
        # [2026-12-06 22:00 +09:00] Carol Diaz in Design · post 100000000000000001
        #   Mood boards are up, @dan #Design
        #   mentions: Dan Ito (@dan) · topics: #design
        #   0 comments
        rse --as dan post comment 100000000000000001 "Nice, @carol and @nobody"
        # [2026-12-06 22:00 +09:00] Dan Ito · comment 100000000000000002: Nice, @carol and @nobody
        #   mentions: Carol Diaz (@carol), @nobody
        rse --as dan post react 100000000000000001 like
        # like 1 · yours: like
        rse --as dan post unreact 100000000000000001 like
        # no reactions
        rse --as dan post unreact 100000000000000001 like
        # nothing to do: no like of yours on post 100000000000000001
        rse --as dan post bookmark 100000000000000001
        # bookmarked post 100000000000000001
        rse --as dan post bookmark 100000000000000001
        # nothing to do: post 100000000000000001 is already bookmarked
        rse --as dan post bookmarks
        # [2026-12-06 14:00 +01:00] Carol Diaz in Design · post 100000000000000001
        #   Mood boards are up, @dan #Design
        #   mentions: Dan Ito (@dan) · topics: #design
        #   1 comment · bookmarked
        rse --as dan post unbookmark 100000000000000001
        # unbookmarked post 100000000000000001
        rse --as dan post unbookmark 100000000000000001
        # nothing to do: post 100000000000000001 is not bookmarked
        rse --as dan post bookmarks
        # no bookmarks
        rse --as dan topic follow "#Design"
        # following #design
        rse --as dan topic follow design
        # nothing to do: already following #design
        rse --as dan topic list
        # #design
        rse --as dan topic feed DESIGN
        # [2026-12-06 14:00 +01:00] Carol Diaz in Design · post 100000000000000001 · cursor MXx0b3BpY3wyNTU0Mjc4NzUzNTI5NjkyMTY
        #   Mood boards are up, @dan #Design
        #   mentions: Dan Ito (@dan) · topics: #design
        #   1 comment
        rse --as dan topic trending --days 30
        # #design  1 author, latest 2026-12-06 14:00 +01:00
        rse --as dan topic unfollow design
        # stopped following #design
        rse --as dan topic unfollow design
        # nothing to do: not following #design
        rse --as carol post comment 100000000000000001 Thanks --reply-to 100000000000000002
        # [2026-12-06 22:00 +09:00] Carol Diaz · reply 100000000000000003 to 100000000000000002: Thanks
        rse --as dan post react 100000000000000001 insightful --comment 100000000000000003
        # insightful 1 · yours: insightful
        rse --as carol post comments 100000000000000001
        # [2026-12-06 22:00 +09:00] Dan Ito · comment 100000000000000002: Nice, @carol and @nobody
        #   mentions: Carol Diaz (@carol), @nobody
        #   1 reply
        rse --as carol post comments 100000000000000001 --replies-to 100000000000000002
        # [2026-12-06 22:00 +09:00] Carol Diaz · reply 100000000000000003 to 100000000000000002: Thanks
        #   insightful 1
        rse --as carol comment delete 100000000000000001 100000000000000002
        # deleted comment 100000000000000002
        rse --as carol post comments 100000000000000001
        # no comments
        rse --as dan post hide 100000000000000001
        # hid post 100000000000000001
        rse --as dan post hide 100000000000000001
        # nothing to do: post 100000000000000001 is already hidden
        rse --as dan post unhide 100000000000000001
        # unhid post 100000000000000001
        rse --as carol feed user
        # no posts
        rse --as carol post share 100000000000000001 "Worth a look"
        # [2026-12-06 22:00 +09:00] Carol Diaz · post 100000000000000004
        #   Worth a look
        #   0 comments
        #   > shared: [2026-12-06 22:00 +09:00] Carol Diaz in Design · post 100000000000000001
        #   > Mood boards are up, @dan #Design
        rse --as carol post delete 100000000000000001
        # deleted post 100000000000000001
        rse --as carol post show 100000000000000004
        # [2026-12-06 22:00 +09:00] Carol Diaz · post 100000000000000004
        #   Worth a look
        #   0 comments
        #   > shared: a post that is no longer available to you
        rse --as carol feed group g0000000000000001
        # no posts
        rse --as carol group remove g0000000000000001 dan
        # removed dan from g0000000000000001
        rse --as dan group leave g0000000000000001
        # nothing to do: not a member of g0000000000000001
        rse --as dan group join g0000000000000001
        # joined g0000000000000001
        rse --as dan group leave g0000000000000001
        # left g0000000000000001

        rse --as carol group create Private --visibility closed
        # g0000000000000002: Private [closed] · 1 member · you: owner
        rse --as dan group join g0000000000000002
        # asked to join g0000000000000002: a group admin decides (rse group requests g0000000000000002)
        rse --as dan group join g0000000000000002
        # nothing to do: already asked to join g0000000000000002: a group admin decides
        rse --as carol group decline g0000000000000002 dan
        # declined dan's request to join g0000000000000002
        rse --as carol group requests g0000000000000002
        # no join requests

        rse feed home
        # error: Unauthenticated: This call needs a caller: set the 'x-rse-user' header to your user id.
        # hint: name the caller with --as <user-id> (or RSE_USER), or --token in token mode
        rse user create root --name "Root Admin"
        # root: Root Admin · 0 followers · follows 0
        rse --as root admin account
        # root: admin (Network:Admins setting), active
        rse --as root admin role dan guest
        # dan: guest, active
        rse --as root admin deactivate dan
        # dan: guest, deactivated
        rse --as dan feed home
        # error: PermissionDenied: The account 'dan' is deactivated; a network admin can reactivate it.
        rse --as root admin reactivate dan
        # dan: guest, active
        rse --as root admin repair --user dan
        # nothing to do: all 2 copies checked are right
        rse --as root report list
        # no reports
        rse --as root admin audit --page-size 1
        # #11 [2026-12-06 14:00 +01:00] root: reactivate_user dan
        # more: --page-token MXxhdWRpdHwxMQ
        rse --as dan user erase dan --confirm
        # erased dan
        #   removed: posts 0, comments 0, reactions 0, follows 0, followers 0, memberships 0, join requests 0; groups handed to a new owner: 0
        rse --as dan user erase dan --confirm
        # error: PermissionDenied: The account 'dan' was erased; it cannot be used again.
        """;

    [Fact]
    public async Task Every_other_verb_answers_as_its_help_says()
    {
        await using var engine = await RunningEngine.StartAsync("cli-tour", "--Network:Admins:0=root", "--Limits:WritesPerMinute=0");
        var commands = ReadmeSession.TestedBlock($"<!-- tested: tour -->\n```sh\n{Tour}\n```\n", "tour");

        await ReadmeTests.AssertPrintsWhatTheReadmeShowsAsync(commands, new Transcript(engine.Address, "the tour (CommandTourTests.cs)"));
    }
}
