"""The address rules of webhook_safety, without any network."""
import ipaddress

import pytest

from lms_automations.actions.webhook_safety import HostRules, Target, is_public


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.255.0.1", "10.1.2.3", "172.31.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "0.1.2.3", "224.0.0.251", "239.1.1.1", "240.0.0.1", "255.255.255.255", "192.0.2.10", "198.18.0.1",
    "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "fec0::1", "ff02::1", "ff0e::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "::a00:1", "64:ff9b::a00:1", "64:ff9b::7f00:1", "2002:a00:1::1", "2002:7f00:1::1",
    "2001:db8::1", "2001:0:4136:e378:8000:63bf:f5ff:fffe",
])
def test_internal_addresses_are_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111",
                                     "2a00:1450:4001:80b::200e", "::ffff:93.184.216.34", "64:ff9b::808:808"])
def test_public_addresses_are_public(address):
    assert is_public(address)


def test_a_scoped_ipv6_address_is_judged_by_its_address():
    assert not is_public("fe80::1%eth0")


def test_host_rules_read_names_domains_and_networks():
    rules = HostRules(["Hooks.Example.com.", ".corp.example", "*.internal.example", "10.1.2.0/24", "[::1]", " "])
    assert rules.matches_name("hooks.example.com")
    assert not rules.matches_name("evil-hooks.example.com")
    assert rules.matches_name("corp.example") and rules.matches_name("crm.eu.corp.example")
    assert not rules.matches_name("notcorp.example")
    assert rules.matches_name("a.internal.example")
    assert rules.matches_address(ipaddress.ip_address("10.1.2.77"))
    assert not rules.matches_address(ipaddress.ip_address("10.1.3.1"))
    assert rules.matches_address(ipaddress.ip_address("::1")) and rules.matches_name("::1")
    assert not HostRules(None).matches_name("anything")


def test_the_host_header_names_the_port_only_when_it_is_not_the_default():
    def target(scheme, host, port):
        return Target(scheme, host, port, "/", 2, (host, port))

    assert target("https", "hooks.example.com", 443).host_header == "hooks.example.com"
    assert target("http", "hooks.example.com", 8080).host_header == "hooks.example.com:8080"
    assert target("http", "::1", 80).host_header == "[::1]"
