import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSource } from '../datasource';
import type { UsageVariableQuery } from '../types';
import { VariableQueryEditor } from './VariableQueryEditor';

function renderEditor(query: Partial<UsageVariableQuery>, onChange = jest.fn()) {
  const props = {
    datasource: {} as DataSource,
    query: query as UsageVariableQuery,
    onChange,
    onRunQuery: jest.fn(),
  };
  const view = render(<VariableQueryEditor {...props} />);
  return {
    onChange,
    rerender: (next: Partial<UsageVariableQuery>) =>
      view.rerender(<VariableQueryEditor {...props} query={next as UsageVariableQuery} />),
  };
}

describe('VariableQueryEditor', () => {
  it('should edit the user search and keep the rest of the query', () => {
    const { onChange } = renderEditor({ refId: 'variable-query', kind: 'users' });
    fireEvent.change(document.getElementById('variable-editor-search') as HTMLInputElement, {
      target: { value: 'ad' },
    });
    expect(onChange).toHaveBeenCalledWith({ refId: 'variable-query', kind: 'users', search: 'ad' });
  });

  it('should treat a query without a kind (a new variable) as a user list', () => {
    renderEditor({});
    expect(screen.getByText('Users')).toBeInTheDocument();
    expect(document.getElementById('variable-editor-search')).not.toBeNull();
  });

  it('should switch to aggregates and hide the search', async () => {
    const { onChange, rerender } = renderEditor({ refId: 'variable-query', kind: 'users' });
    fireEvent.keyDown(document.getElementById('variable-editor-kind') as HTMLInputElement, { key: 'ArrowDown' });
    fireEvent.click(await screen.findByText('Aggregates', { selector: 'span' }));
    expect(onChange).toHaveBeenCalledWith({ refId: 'variable-query', kind: 'aggregates', search: '' });
    rerender({ refId: 'variable-query', kind: 'aggregates' });
    expect(document.getElementById('variable-editor-search')).toBeNull();
  });
});
