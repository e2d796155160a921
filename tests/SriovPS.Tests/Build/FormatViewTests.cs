using System.IO;
using System.Linq;
using System.Xml.Linq;
using SriovPS.Tests.Support;
using Xunit;

namespace SriovPS.Tests.Build;

public class FormatViewTests
{
    private static readonly XDocument Format = XDocument.Load(Path.Combine(Repository.ModuleOutput, "SriovPS.Format.ps1xml"));

    [Fact]
    public void EveryModelType_HasExactlyOneTableView()
    {
        var modelTypes = typeof(SriovPf).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == "SriovPS" && t.IsSealed && t.IsClass)
            .Select(t => t.FullName!)
            .Order();
        var viewed = Format.Descendants("ViewSelectedBy").Elements("TypeName").Select(e => e.Value).Order();

        Assert.Equal(modelTypes, viewed);
    }

    [Fact]
    public void EveryView_ShowsAtMostSixRealPropertiesWithAHeaderEach()
    {
        foreach (var view in Format.Descendants("View"))
        {
            string typeName = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value;
            var type = typeof(SriovPf).Assembly.GetType(typeName);
            Assert.True(type is not null, $"view {typeName} names no type");

            var headers = view.Descendants("TableColumnHeader").ToList();
            var items = view.Descendants("TableColumnItem").ToList();
            Assert.InRange(items.Count, 1, 6);
            Assert.Equal(headers.Count, items.Count);
            Assert.Empty(view.Descendants("ScriptBlock"));
            foreach (var (header, item) in headers.Zip(items))
            {
                string property = item.Element("PropertyName")!.Value;
                Assert.True(type!.GetProperty(property) is not null, $"{typeName} has no property {property}");
                Assert.Equal(property, header.Element("Label")!.Value);
            }
        }
    }

    [Fact]
    public void HostChecks_AreGroupedByStatus_InTheOrderTheCommandWritesThem()
    {
        var view = Format.Descendants("View").Single(v => v.Element("Name")!.Value == "SriovPS.SriovHostCheck");
        var groupBy = view.Element("GroupBy");
        Assert.NotNull(groupBy);
        Assert.Equal("Status", groupBy!.Element("PropertyName")!.Value);

        // GroupBy sits between ViewSelectedBy and the control, as the format schema orders them.
        Assert.Equal(["Name", "ViewSelectedBy", "GroupBy", "TableControl"], view.Elements().Select(e => e.Name.LocalName));
        Assert.NotNull(view.Descendants("TableRowEntry").Single().Element("Wrap"));
    }
}
