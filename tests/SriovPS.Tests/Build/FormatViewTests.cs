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
        var viewed = Format.Descendants("View").Where(v => v.Element("TableControl") is not null)
            .Select(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value).Order();

        Assert.Equal(modelTypes, viewed);
    }

    [Fact]
    public void ListViews_FollowTheirTypesTableView_WithAtMostSixRealProperties()
    {
        var views = Format.Descendants("View").ToList();
        foreach (var list in views.Where(v => v.Element("ListControl") is not null))
        {
            string typeName = list.Element("ViewSelectedBy")!.Element("TypeName")!.Value;
            var type = typeof(SriovPf).Assembly.GetType(typeName)!;
            // The first view of a type is its default: the table.
            Assert.NotNull(views.First(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value == typeName).Element("TableControl"));
            var items = list.Descendants("ListItem").Select(i => i.Element("PropertyName")!.Value).ToList();
            Assert.InRange(items.Count, 1, 6);
            Assert.Empty(list.Descendants("ScriptBlock"));
            Assert.All(items, p => Assert.True(type.GetProperty(p) is not null, $"{typeName} has no property {p}"));
        }
    }

    [Fact]
    public void EveryView_ShowsAtMostSixRealPropertiesWithAHeaderEach()
    {
        foreach (var view in Format.Descendants("View").Where(v => v.Element("TableControl") is not null))
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
    public void HostChecks_ShowStatusIdTargetRemedy_AndTheFindingInTheListView()
    {
        var table = Format.Descendants("View").Single(v => v.Element("Name")!.Value == "SriovPS.SriovHostCheck");
        Assert.Equal(["Status", "Id", "Target", "Remedy"], table.Descendants("TableColumnItem").Select(i => i.Element("PropertyName")!.Value));
        Assert.NotNull(table.Descendants("TableRowEntry").Single().Element("Wrap"));
        // The last column takes the rest of the line: a fixed width would cut it, as the Finding did.
        Assert.Null(table.Descendants("TableColumnHeader").Last().Element("Width"));

        var list = Format.Descendants("View").Single(v => v.Element("Name")!.Value == "SriovPS.SriovHostCheck.List");
        Assert.Equal(["Status", "Id", "Target", "Finding", "Remedy"], list.Descendants("ListItem").Select(i => i.Element("PropertyName")!.Value));
    }

    [Fact]
    public void Vfs_ShowTheirInterfaceIommuGroupAndOwner_GroupedByPf()
    {
        var view = Format.Descendants("View").Single(v => v.Element("Name")!.Value == "SriovPS.SriovVf");
        var columns = view.Descendants("TableColumnItem").Select(i => i.Element("PropertyName")!.Value).ToList();
        Assert.Contains("Name", columns);
        Assert.Contains("IommuGroup", columns);
        Assert.Contains("Owner", columns);
        // GroupBy sits between ViewSelectedBy and the control, as the format schema orders them.
        Assert.Equal(["Name", "ViewSelectedBy", "GroupBy", "TableControl"], view.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("PfName", view.Element("GroupBy")!.Element("PropertyName")!.Value);
    }
}
