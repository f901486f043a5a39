// The desktop application's command line: accepted forms and clear messages for bad ones.

#include <QtTest>

#include "ui/launch_options.h"

using namespace counterscope::ui;

class TestLaunchOptions : public QObject {
  Q_OBJECT

 private:
  static LaunchParseResult parse(QStringList arguments) {
    arguments.prepend(QStringLiteral("counterscope"));
    return parseLaunchOptions(arguments);
  }

 private Q_SLOTS:
  void noArgumentsOpensAnEmptyWindow() {
    const auto result = parse({});
    QVERIFY(result.error.isEmpty());
    QVERIFY(!result.options.dataset);
    QVERIFY(!result.options.demo);
    QVERIFY(result.options.screenshotPath.isEmpty());
  }

  void annotationAndImages() {
    const auto result = parse({"--ann", "/d/val.json", "--images", "/d/img", "--image-id", "196141"});
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.options.dataset->annotationPath, QStringLiteral("/d/val.json"));
    QCOMPARE(result.options.dataset->imageRoot, QStringLiteral("/d/img"));
    QCOMPARE(result.options.imageId.value_or(0), qint64{196141});
  }

  void demoWorldLayout() {
    const auto result = parse({"--demo", "--world", "/w", "--screenshot", "/tmp/s.png"});
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QVERIFY(result.options.demo);
    QCOMPARE(result.options.dataset->annotationPath, QStringLiteral("/w/annotations/val.json"));
    QCOMPARE(result.options.dataset->imageRoot, QStringLiteral("/w/images"));
    QCOMPARE(result.options.screenshotPath, QStringLiteral("/tmp/s.png"));
    QVERIFY(!result.options.compare);
  }

  void compareScreenshot() {
    const auto result = parse({"--demo", "--world", "/w", "--screenshot", "/tmp/c.png", "--image-id", "12", "--ann-id",
                               "43", "--target", "sled", "--compare"});
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QVERIFY(result.options.compare);
    QVERIFY(!result.options.twin);
  }

  void twinExplanation() {
    const auto result = parse({"--demo", "--world", "/w", "--screenshot", "/tmp/t.png", "--image-id", "12", "--ann-id",
                               "43", "--target", "sled", "--twin"});
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QVERIFY(result.options.twin);
    QCOMPARE(result.options.optimizeSteps, 0);
  }

  void badUsageIsReported_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::newRow("demo without world") << QStringList{"--demo"} << "--demo needs --world";
    QTest::newRow("ann without images") << QStringList{"--ann", "a.json"} << "--ann and --images";
    QTest::newRow("world without demo") << QStringList{"--world", "/w"} << "--world is only used with --demo";
    QTest::newRow("demo with ann") << QStringList{"--demo", "--world", "/w", "--ann", "a", "--images", "b"}
                                   << "cannot be combined";
    QTest::newRow("image id not a number") << QStringList{"--image-id", "abc"} << "--image-id = 'abc'";
    QTest::newRow("screenshot without dataset") << QStringList{"--screenshot", "x.png"} << "needs a dataset";
    QTest::newRow("unknown option") << QStringList{"--bogus"} << "bogus";
    QTest::newRow("compare without target")
        << QStringList{"--demo", "--world", "/w", "--screenshot", "c.png", "--compare"} << "--compare needs";
    QTest::newRow("stray argument") << QStringList{"file.json"} << "unexpected argument 'file.json'";
    QTest::newRow("twin without target") << QStringList{"--demo", "--world", "/w", "--twin"} << "--twin needs --target";
    QTest::newRow("twin and optimize")
        << QStringList{"--demo", "--world", "/w", "--image-id", "1", "--ann-id", "2", "--target", "sled", "--twin",
                       "--optimize", "5"}
        << "one of --optimize and --twin";
  }

  void badUsageIsReported() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const auto result = parse(arguments);
    QVERIFY2(result.error.contains(expected), qPrintable(result.error));
    QVERIFY(!result.helpText.isEmpty());
  }

  void helpIsNotAnError() {
    const auto result = parse({"--help"});
    QVERIFY(result.helpShown);
    QVERIFY(result.error.isEmpty());
    QVERIFY(result.helpText.contains(QStringLiteral("--screenshot")));
  }
};

QTEST_MAIN(TestLaunchOptions)
#include "test_launch_options.moc"
