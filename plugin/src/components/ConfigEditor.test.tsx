import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSourceSettings } from '@grafana/data';
import type { UsageOptions, UsageSecureJsonData } from '../types';
import { ConfigEditor } from './ConfigEditor';

type Options = DataSourceSettings<UsageOptions, UsageSecureJsonData>;

function setup(overrides: Partial<Options> = {}) {
  const options = {
    jsonData: { url: 'http://core4-usage:8080' },
    secureJsonFields: {},
    secureJsonData: {},
    ...overrides,
  } as Options;
  const onOptionsChange = jest.fn();
  render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  return { options, onOptionsChange };
}

describe('ConfigEditor', () => {
  it('should edit the daemon URL in jsonData', () => {
    const { onOptionsChange } = setup();
    fireEvent.change(document.getElementById('config-editor-url') as HTMLInputElement, {
      target: { value: 'http://localhost:8080' },
    });
    expect(onOptionsChange).toHaveBeenCalledWith(
      expect.objectContaining({ jsonData: { url: 'http://localhost:8080' } })
    );
  });

  it('should put the token in secureJsonData only', () => {
    const { onOptionsChange } = setup();
    fireEvent.change(document.getElementById('config-editor-token') as HTMLInputElement, {
      target: { value: 'read-token-0123456789' },
    });
    const saved = onOptionsChange.mock.calls[0][0] as Options;
    expect(saved.secureJsonData).toEqual({ token: 'read-token-0123456789' });
    expect(JSON.stringify(saved.jsonData)).not.toContain('read-token');
  });

  it('should show a configured token as set and reset it', () => {
    const { onOptionsChange } = setup({ secureJsonFields: { token: true } });
    expect(screen.getByDisplayValue('configured')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(onOptionsChange).toHaveBeenCalledWith(
      expect.objectContaining({ secureJsonFields: { token: false }, secureJsonData: { token: '' } })
    );
  });

  it('should edit the default time zone', () => {
    const { onOptionsChange } = setup();
    fireEvent.change(document.getElementById('config-editor-timezone') as HTMLInputElement, {
      target: { value: 'Europe/Berlin' },
    });
    expect(onOptionsChange).toHaveBeenCalledWith(
      expect.objectContaining({ jsonData: { url: 'http://core4-usage:8080', defaultTimezone: 'Europe/Berlin' } })
    );
  });

  it('should store the timeout in jsonData as whole seconds, and nothing for empty', () => {
    const { onOptionsChange } = setup();
    const input = document.getElementById('config-editor-timeout') as HTMLInputElement;
    fireEvent.change(input, { target: { value: '90' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { url: 'http://core4-usage:8080', timeout: 90 } })
    );
  });

  it("should clear a stored timeout (Grafana's default applies)", () => {
    const { onOptionsChange } = setup({ jsonData: { url: 'http://core4-usage:8080', timeout: 90 } });
    fireEvent.change(document.getElementById('config-editor-timeout') as HTMLInputElement, { target: { value: '' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { url: 'http://core4-usage:8080', timeout: undefined } })
    );
  });

  it("should store TLS switches in jsonData and PEM blocks in secureJsonData only, as Grafana's proxy reads them", () => {
    const { onOptionsChange } = setup({
      jsonData: { url: 'https://core4-usage:8443', tlsAuthWithCACert: true, tlsAuth: true },
      secureJsonFields: { tlsClientKey: true },
    });
    fireEvent.click(document.getElementById('config-editor-tls-skip') as HTMLInputElement);
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: expect.objectContaining({ tlsSkipVerify: true }) })
    );
    fireEvent.change(document.getElementById('config-editor-tlsCACert') as HTMLTextAreaElement, {
      target: { value: '-----BEGIN CERTIFICATE-----\nMIIB' },
    });
    const saved = onOptionsChange.mock.calls.at(-1)[0] as Options;
    expect(saved.secureJsonData).toEqual({ tlsCACert: '-----BEGIN CERTIFICATE-----\nMIIB' });
    expect(JSON.stringify(saved.jsonData)).not.toContain('BEGIN');
    fireEvent.change(document.getElementById('config-editor-server-name') as HTMLInputElement, {
      target: { value: 'core4-usage.example.org' },
    });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: expect.objectContaining({ serverName: 'core4-usage.example.org' }) })
    );
    // A configured key shows as such and can be reset.
    fireEvent.click(screen.getAllByRole('button', { name: 'Reset' })[0] as HTMLElement);
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ secureJsonFields: { tlsClientKey: false }, secureJsonData: { tlsClientKey: '' } })
    );
  });
});
