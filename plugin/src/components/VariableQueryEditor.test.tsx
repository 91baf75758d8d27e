import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { VariableQueryEditor } from './VariableQueryEditor';

describe('VariableQueryEditor', () => {
  it('should edit the user search and describe the variable', () => {
    const onChange = jest.fn();
    render(<VariableQueryEditor query={{ kind: 'users' }} onChange={onChange} />);
    fireEvent.change(document.getElementById('variable-editor-search') as HTMLInputElement, {
      target: { value: 'ad' },
    });
    expect(onChange).toHaveBeenCalledWith({ kind: 'users', search: 'ad' }, 'users matching ad');
  });

  it('should switch to aggregates and hide the search', async () => {
    const onChange = jest.fn();
    const { rerender } = render(<VariableQueryEditor query={{ kind: 'users' }} onChange={onChange} />);
    fireEvent.keyDown(document.getElementById('variable-editor-kind') as HTMLInputElement, { key: 'ArrowDown' });
    fireEvent.click(await screen.findByText('Aggregates', { selector: 'span' }));
    expect(onChange).toHaveBeenCalledWith({ kind: 'aggregates', search: '' }, 'aggregates');
    rerender(<VariableQueryEditor query={{ kind: 'aggregates' }} onChange={onChange} />);
    expect(document.getElementById('variable-editor-search')).toBeNull();
  });
});
