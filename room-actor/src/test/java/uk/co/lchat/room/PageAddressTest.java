package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** What a shared page's address may be, and the allow-list of hosts it may come from. */
class PageAddressTest {
  private static PageAddress.Parsed.Valid valid(String url) {
    return assertInstanceOf(PageAddress.Parsed.Valid.class, PageAddress.parse(url), url);
  }

  private static String refusal(String url) {
    return assertInstanceOf(PageAddress.Parsed.Invalid.class, PageAddress.parse(url), url).message();
  }

  @Test
  void httpAndHttpsAddressesAreNormalisedAsBrowsersWriteThem() {
    assertEquals(new PageAddress.Parsed.Valid("https://example.com/", "example.com"), valid("HTTPS://Example.COM"));
    assertEquals("http://127.0.0.1:8081/a/b?x=1&y=%20#top", valid("http://127.0.0.1:8081/a/b?x=1&y=%20#top").url());
    assertEquals("::1", valid("http://[::1]:9000/").host());
  }

  @Test
  void scriptsDataFilesAndOtherSchemesAreRefusedSayingWhichSchemeItWas() {
    assertEquals("Only http:// and https:// pages can be shared (not javascript:).",
        refusal("javascript:alert(document.cookie)"));
    assertEquals("Only http:// and https:// pages can be shared (not data:).", refusal("data:text/html,<b>hi</b>"));
    assertTrue(refusal("file:///etc/passwd").contains("not file:"));
    assertTrue(refusal("ftp://example.com/").contains("not ftp:"));
    assertEquals("Only http:// and https:// pages can be shared.", refusal("example.com/page"));
  }

  @Test
  void credentialsMissingHostsBadPortsAndOddCharactersAreRefused() {
    assertEquals("A shared page's address may not hold a user name or password.",
        refusal("https://ann:secret@example.com/"));
    assertTrue(refusal("https:///path").contains("needs a host"));
    assertTrue(refusal("https://example.com:70000/").contains("port"));
    assertTrue(refusal("https://example.com/a b").contains("spaces"));
    assertTrue(refusal("https://example.com/\u00e9").contains("non-ASCII"));
    assertTrue(refusal("https://exa\nmple.com/").contains("control"));
    assertTrue(refusal("https://example.com/%zz").contains("not a valid"));
    assertTrue(refusal("").contains("Say which page"));
    assertTrue(refusal(null).contains("Say which page"));
  }

  @Test
  void anAddressLongerThanTheLimitIsRefused() {
    String longest = "https://example.com/" + "a".repeat(PageAddress.MAX_LENGTH - 20);
    assertEquals(PageAddress.MAX_LENGTH, valid(longest).url().length());
    assertEquals("That address is too long (at most 2048 characters).", refusal(longest + "a"));
  }

  @Test
  void hostPatternsAllowAnyHostExactHostsOrSubdomainsOnly() {
    PageHosts any = PageHosts.of(List.of("*"));
    assertTrue(any.allows("example.com") && any.allows("10.0.0.1"));
    PageHosts some = PageHosts.of(List.of("Docs.Example.com", "*.wiki.org", "127.0.0.1", "[::1]"));
    assertTrue(some.allows("docs.example.com"));
    assertTrue(!some.allows("example.com") && !some.allows("evil.docs.example.com.attacker.net"));
    assertTrue(some.allows("en.wiki.org") && some.allows("a.b.wiki.org"));
    assertTrue(!some.allows("wiki.org") && !some.allows("notwiki.org"), "a subdomain pattern is not its apex");
    assertTrue(some.allows("127.0.0.1") && some.allows("::1") && !some.allows("127.0.0.2"));
    assertTrue(PageHosts.of(List.of()).isEmpty());
    assertTrue(!PageHosts.of(List.of()).allows("example.com"));
  }

  @Test
  void onlyAHostNamedExactlyIsNamedAWildcardNamesNothing() {
    PageHosts hosts = PageHosts.of(List.of("*", "*.corp.example", "127.0.0.1", "LocalHost"));
    assertTrue(hosts.namesExactly("127.0.0.1") && hosts.namesExactly("localhost"));
    assertTrue(!hosts.namesExactly("10.0.0.1"), "* allows the host but does not name it");
    assertTrue(!hosts.namesExactly("wiki.corp.example"));
  }
}
