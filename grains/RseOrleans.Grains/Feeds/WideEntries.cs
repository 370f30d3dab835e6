namespace RseOrleans.Grains.Feeds;

/// <summary>Cursors and slots side by side, for the rare timeline whose entries do not pack.</summary>
internal sealed class WideEntries(int length)
{
    public long[] Cursors { get; } = new long[length];

    public ushort[] Slots { get; } = new ushort[length];

    public int Length => Cursors.Length;

    public void Set(int index, long cursor, int slot)
    {
        Cursors[index] = cursor;
        Slots[index] = (ushort)slot;
    }
}
