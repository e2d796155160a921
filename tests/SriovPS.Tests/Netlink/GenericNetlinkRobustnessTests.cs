using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using SriovPS.Native.Netlink;
using Xunit;

namespace SriovPS.Tests.Netlink;

/// <summary>
/// Hostile generic netlink replies: every truncation of the golden replies and thousands of corrupted
/// copies. The decoders may answer or throw <see cref="NetlinkDecodeException"/>, nothing else.
/// </summary>
public sealed class GenericNetlinkRobustnessTests
{
    private const ushort Family = GenericNetlinkGoldenTests.DevlinkFamily;

    [Fact]
    public void FamilyReply_EveryTruncation_EndsInTheIdOrADecodeError()
    {
        var reply = Hex.Bytes(GenericNetlinkGoldenTests.DevlinkFamilyReply);
        for (int length = 0; length < reply.Length; length++)
        {
            foreach (bool lengthFixed in new[] { false, true })
            {
                var cut = Cut(reply, length, lengthFixed);
                var outcome = Outcome(() => GenericNetlink.DecodeFamilyId(cut, "devlink"));
                Assert.True(outcome is null or (ushort)Family, $"{length} bytes (nlmsg_len fixed: {lengthFixed}) gave {outcome}");
            }
        }
    }

    [Fact]
    public void EswitchReply_EveryTruncation_EndsInTheModeNoModeOrADecodeError()
    {
        var reply = Hex.Bytes(GenericNetlinkGoldenTests.SwitchdevReply);
        for (int length = 0; length < reply.Length; length++)
        {
            foreach (bool lengthFixed in new[] { false, true })
            {
                var cut = Cut(reply, length, lengthFixed);
                var outcome = Outcome(() => DevlinkEswitch.DecodeMode(cut, Family));

                // A cut that ends exactly before the mode attribute is a reply without a mode.
                Assert.True(outcome is null or (ushort)Devlink.DEVLINK_ESWITCH_MODE_SWITCHDEV, $"{length} bytes (nlmsg_len fixed: {lengthFixed}) gave {outcome}");
            }
        }
    }

    [Fact]
    public void BothReplies_20000CorruptedCopies_OnlyEverThrowNetlinkDecodeException()
    {
        var seeds = new[] { Hex.Bytes(GenericNetlinkGoldenTests.DevlinkFamilyReply), Hex.Bytes(GenericNetlinkGoldenTests.SwitchdevReply) };
        var random = new Random(20260301);
        var unexpected = new List<string>();
        int decoded = 0, refused = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var buffer = (byte[])seeds[i % 2].Clone();
            int corruptions = 1 + random.Next(4);
            for (int c = 0; c < corruptions; c++)
            {
                if (random.Next(2) == 0)
                {
                    buffer[random.Next(buffer.Length)] ^= (byte)(1 << random.Next(8));
                }
                else
                {
                    // An attribute-aligned 16-bit length from 20 on: a near miss or a wild value.
                    int offset = 20 + (random.Next((buffer.Length - 22) / 4) * 4);
                    BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(offset), (ushort)random.Next(0, 0x120));
                }
            }

            try
            {
                if (i % 2 == 0)
                {
                    GenericNetlink.DecodeFamilyId(buffer, "devlink");
                }
                else
                {
                    DevlinkEswitch.DecodeMode(buffer, Family);
                }

                decoded++;
            }
            catch (NetlinkDecodeException)
            {
                refused++;
            }
            catch (Exception e)
            {
                if (unexpected.Count < 5)
                {
                    unexpected.Add($"iteration {i}: {e.GetType().Name}: {e.Message} — {Hex.Of(buffer)}");
                }
            }
        }

        Assert.Empty(unexpected);

        // Both outcomes must be common, or the corruption is not reaching the decoders.
        Assert.True(decoded > 1000, $"only {decoded} buffers decoded");
        Assert.True(refused > 1000, $"only {refused} buffers refused");
    }

    private static byte[] Cut(byte[] reply, int length, bool lengthFixed)
    {
        var cut = reply.AsSpan(0, length).ToArray();
        if (lengthFixed && cut.Length >= 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(cut, (uint)cut.Length);
        }

        return cut;
    }

    /// <summary>What a decode gave, <c>null</c> for a decode error; any other exception fails the test.</summary>
    private static object? Outcome<T>(Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (NetlinkDecodeException)
        {
            return null;
        }
    }
}
